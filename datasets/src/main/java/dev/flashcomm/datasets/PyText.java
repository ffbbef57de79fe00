package dev.flashcomm.datasets;

import java.util.Locale;

/**
 * The few Python {@code str} operations that the reference pipelines (HF datasets, lm-eval) apply to data.
 *
 * <p>Java's {@code String.strip()} and {@code isBlank()} disagree with Python on characters such as U+00A0 and
 * U+2007, which would shift a WikiText row or a HellaSwag prompt by one character and so change token counts.
 */
public final class PyText {
    private PyText() {
    }

    /** Python's {@code str.isspace()} for one code point: category Zs, or bidi class WS, B or S. */
    public static boolean isSpace(int cp) {
        if (Character.getType(cp) == Character.SPACE_SEPARATOR) {
            return true;
        }
        byte bidi = Character.getDirectionality(cp);
        return bidi == Character.DIRECTIONALITY_WHITESPACE
                || bidi == Character.DIRECTIONALITY_PARAGRAPH_SEPARATOR
                || bidi == Character.DIRECTIONALITY_SEGMENT_SEPARATOR;
    }

    /** True when {@code s.strip()} would be empty in Python. */
    static boolean isBlank(String s) {
        return s.codePoints().allMatch(PyText::isSpace);
    }

    /** Python's {@code str.strip()} without arguments. */
    static String strip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isSpace(s.codePointAt(start))) {
            start += Character.charCount(s.codePointAt(start));
        }
        while (end > start && isSpace(s.codePointBefore(end))) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(start, end);
    }

    /** Python's {@code str.capitalize()} (3.8+): first character to title case, the rest to lower case. */
    static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.codePointAt(0);
        String head = new String(Character.toChars(first));
        String rest = s.substring(head.length()).toLowerCase(Locale.ROOT);
        int title = Character.toTitleCase(first);
        String upper = head.toUpperCase(Locale.ROOT);
        if (title == first && upper.codePointCount(0, upper.length()) > 1) {
            // Full title-case mapping of characters like 'ß' or 'ﬁ' is two characters ("Ss", "Fi"), as in Python.
            int firstUpper = upper.codePointAt(0);
            String tail = upper.substring(Character.charCount(firstUpper)).toLowerCase(Locale.ROOT);
            return new String(Character.toChars(firstUpper)) + tail + rest;
        }
        return new String(Character.toChars(title)) + rest;
    }

    /** Python's {@code len(s)}: code points, not UTF-16 units. */
    static int length(String s) {
        return s.codePointCount(0, s.length());
    }
}
