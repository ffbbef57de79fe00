package dev.flashcomm.eval.cli;

/**
 * What flashcomm prints as an error, warning or note: one line, of bounded length, that a terminal shows as text.
 * Messages quote what the input held (a field, a file name, a prompt), and the input is hostile: a field of
 * 200 kB, a newline that forges a second line, an ANSI escape that recolours or clears the terminal, a lone
 * surrogate. Every line passes here on its way to stderr, so no reader has to remember it.
 */
final class MessageLine {

    /** Longer messages keep their start (file, line, problem) and end and leave out the middle. */
    static final int MAX_CHARS = 600;
    private static final int HEAD = 440;
    private static final int TAIL = 120;

    private MessageLine() {
    }

    /** {@code message} escaped (control, bidi and line-separator characters, lone surrogates) and shortened. */
    static String of(String message) {
        if (message == null) {
            return "(no message)";
        }
        if (message.length() <= MAX_CHARS) {
            return escape(message);
        }
        int head = boundary(message, HEAD);
        int tail = boundary(message, message.length() - TAIL);
        return escape(message.substring(0, head)) + " [... " + (tail - head) + " characters left out ...] "
                + escape(message.substring(tail));
    }

    /** {@code at}, or one before it when it would split a surrogate pair. */
    private static int boundary(String s, int at) {
        return at > 0 && at < s.length() && Character.isHighSurrogate(s.charAt(at - 1))
                && Character.isLowSurrogate(s.charAt(at)) ? at - 1 : at;
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i)); // a whole pair is a character like any other
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (unsafe(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * C0 and C1 controls (ESC starts every ANSI sequence; C1's CSI does too), DEL, lone surrogates, the line and
     * paragraph separators, and the bidi controls that make a terminal show text in another order than it is.
     */
    private static boolean unsafe(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || Character.isSurrogate(c) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069') || c == '\u200e'
                || c == '\u200f' || c == '\u061c';
    }
}
