package dev.flashcomm.datasets;

import java.util.Objects;

/**
 * One log-likelihood request of a task item: score {@code continuation} after {@code context}.
 *
 * <p>Context and continuation are kept exactly as the task defines them (e.g. {@code "Question: …\nAnswer:"} and
 * {@code " " + sol1}); moving trailing context whitespace into the continuation is the scorer's job, so that the
 * rule lives in one place.
 *
 * @param normLength the length of lm-eval's choice text (the continuation without the target delimiter), in code
 *                   points (Python {@code len}), which {@code acc_norm} divides the log-likelihood by
 */
public record Choice(String context, String continuation, int normLength) {
    public Choice {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(continuation, "continuation");
        if (normLength < 0) {
            throw new IllegalArgumentException("normLength must be >= 0, got " + normLength);
        }
    }

    /**
     * lm-eval's multiple-choice request for one {@code doc_to_choice} entry: continuation
     * {@code target_delimiter + text} with the default delimiter {@code " "}, normalised by {@code len(text)} (the
     * delimiter is not counted, but a space the task put into {@code text} itself is, as in lm-eval's
     * {@code acc_norm}).
     */
    public static Choice of(String context, String text) {
        Objects.requireNonNull(text, "text");
        return new Choice(context, " " + text, PyText.length(text));
    }
}
