package dev.flashcomm.eval.tasks;

import dev.flashcomm.datasets.Choice;
import dev.flashcomm.datasets.PyText;
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

    /** The text the scorer encodes for one choice of a task item: lm-eval's request after {@code _encode_pair}. */
    public static RequestText of(Choice choice) {
        return new RequestText(choice.context(), choice.continuation());
    }

    /** Where the trailing run of Python-{@code isspace} characters of {@code s} begins. */
    private static int trailingWhitespaceStart(String s) {
        int end = s.length();
        while (end > 0 && PyText.isSpace(s.codePointBefore(end))) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return end;
    }
}
