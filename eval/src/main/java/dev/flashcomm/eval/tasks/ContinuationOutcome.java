package dev.flashcomm.eval.tasks;

import dev.flashcomm.datasets.Metric;

/**
 * A target-continuation item (lambada): correct when every target token is the greedy argmax.
 *
 * @param logLikelihood      of the whole target continuation
 * @param continuationTokens tokens in the target
 */
public record ContinuationOutcome(int item, double logLikelihood, boolean greedy, int continuationTokens)
        implements ItemOutcome {

    public ContinuationOutcome {
        if (continuationTokens < 1) {
            throw new IllegalArgumentException("item " + item + ": a target has at least one token");
        }
    }

    @Override
    public double value(Metric metric) {
        return switch (metric) {
            case ACC -> greedy ? 1 : 0;
            case PERPLEXITY -> logLikelihood;
            case ACC_NORM -> throw new IllegalArgumentException("a target continuation has no acc_norm");
            case EXACT_MATCH_STRICT, EXACT_MATCH_FLEXIBLE -> throw new IllegalArgumentException(
                    metric.id() + " is scored from a generation (datasets.GenerationScoring), not log-likelihoods");
        };
    }
}
