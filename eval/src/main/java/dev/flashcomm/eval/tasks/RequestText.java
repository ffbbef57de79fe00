package dev.flashcomm.eval.tasks;

import java.util.Objects;

/**
 * A (context, continuation) pair in lm-eval's canonical form: the context's trailing whitespace has moved to the
 * front of the continuation. BPE tokenizers glue a space to the word after it, so {@code "Answer:" + " yes"} and
 * {@code "Answer: " + "yes"} must encode the continuation the same way; doing the move in one place keeps every
 * task consistent with lm-eval's {@code _encode_pair}.
 */
public record RequestText(String context, String continuation) {

    public RequestText {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(continuation, "continuation");
        int end = trailingWhitespaceStart(context);
        if (end < context.length()) {
            continuation = context.substring(end) + continuation;
            context = context.substring(0, end);
        }
    }

    /** Where the trailing run of Python-{@code isspace} characters of {@code s} begins. */
    private static int trailingWhitespaceStart(String s) {
        int end = s.length();
        while (end > 0 && isPythonSpace(s.codePointBefore(end))) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return end;
    }

    /**
     * Python's {@code str.isspace()} (what {@code rstrip()} strips): category Zs, or bidi class WS, B or S. Java's
     * {@code Character.isWhitespace} differs on U+00A0, U+2007, U+202F and U+0085, which would move a different
     * suffix than lm-eval does and change token counts.
     */
    static boolean isPythonSpace(int cp) {
        if (Character.getType(cp) == Character.SPACE_SEPARATOR) {
            return true;
        }
        byte bidi = Character.getDirectionality(cp);
        return bidi == Character.DIRECTIONALITY_WHITESPACE
                || bidi == Character.DIRECTIONALITY_PARAGRAPH_SEPARATOR
                || bidi == Character.DIRECTIONALITY_SEGMENT_SEPARATOR;
    }
}
