package dev.flashcomm.eval.lm;

import java.util.Objects;

/**
 * What greedy decoding produced for one {@link GenerationRequest}.
 *
 * @param promptIds  the request's prompt
 * @param newIds     the generated tokens, in order, including the one that completed a stop sequence or was EOS
 * @param logProbs   the log-probability (fp32 log-softmax, widened) of each generated token where it was chosen,
 *                   i.e. the maximum of its position's distribution
 * @param text       the tokenizer's decoding of {@code newIds} (special tokens kept), cut before the earliest stop
 *                   sequence: lm-eval's {@code s.split(term)[0]} for every term of {@code until}
 * @param stopReason why the generation ended
 */
public record Generation(int[] promptIds, int[] newIds, double[] logProbs, String text, StopReason stopReason) {
    public Generation {
        promptIds = promptIds.clone();
        newIds = newIds.clone();
        logProbs = logProbs.clone();
        if (logProbs.length != newIds.length) {
            throw new IllegalArgumentException(newIds.length + " tokens but " + logProbs.length + " log-probs");
        }
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(stopReason, "stopReason");
    }

    @Override
    public int[] promptIds() {
        return promptIds.clone();
    }

    @Override
    public int[] newIds() {
        return newIds.clone();
    }

    @Override
    public double[] logProbs() {
        return logProbs.clone();
    }
}
