package dev.flashcomm.datasets;

import java.util.Objects;

/**
 * One log-likelihood request of a task item: score {@code continuation} after {@code context}.
 *
 * <p>Context and continuation are kept exactly as the task defines them (e.g. {@code "Question: …\nAnswer:"} and
 * {@code " " + sol1}); moving trailing context whitespace into the continuation is the scorer's job, so that the
 * rule lives in one place.
 *
 * @param normLength the length of the choice text without its leading space, in code points (Python {@code len}),
 *                   which {@code acc_norm} divides the log-likelihood by
 */
public record Choice(String context, String continuation, int normLength) {
    public Choice {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(continuation, "continuation");
        if (normLength < 0) {
            throw new IllegalArgumentException("normLength must be >= 0, got " + normLength);
        }
    }

    /** The usual multiple-choice request: continuation {@code " " + text}, normalised by the length of {@code text}. */
    public static Choice of(String context, String text) {
        Objects.requireNonNull(text, "text");
        return new Choice(context, " " + text, PyText.length(text));
    }
}
