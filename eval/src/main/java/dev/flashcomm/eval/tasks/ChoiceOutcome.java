package dev.flashcomm.eval.tasks;

import dev.flashcomm.datasets.Metric;
import java.util.Arrays;

/**
 * A multiple-choice item: the log-likelihood of every choice and the two predictions made from them.
 *
 * @param logLikelihoods     per choice
 * @param continuationTokens per choice, the number of tokens scored
 * @param greedy             per choice, whether every continuation token was the argmax
 * @param pred               argmax of log-likelihood ({@code acc})
 * @param predNorm           argmax of log-likelihood per character of the choice ({@code acc_norm})
 */
public record ChoiceOutcome(int item, double[] logLikelihoods, int[] continuationTokens, boolean[] greedy, int pred,
                            int predNorm, int gold) implements ItemOutcome {

    public ChoiceOutcome {
        int n = logLikelihoods.length;
        if (n == 0 || continuationTokens.length != n || greedy.length != n) {
            throw new IllegalArgumentException("item " + item + ": per-choice arrays must be non-empty and of equal"
                    + " length");
        }
        for (int v : new int[] {pred, predNorm, gold}) {
            if (v < 0 || v >= n) {
                throw new IllegalArgumentException("item " + item + ": choice index " + v + " out of range for "
                        + n + " choices");
            }
        }
        logLikelihoods = logLikelihoods.clone();
        continuationTokens = continuationTokens.clone();
        greedy = greedy.clone();
    }

    /**
     * Makes the predictions as lm-eval does ({@code np.argmax}: the first of equal maxima wins).
     *
     * @param normLengths per choice, characters of the choice text without its leading space. An empty choice
     *                    cannot be normalised; lm-eval's division by zero makes its score −inf for any negative
     *                    log-likelihood, and we use −inf always so that it never wins and never yields NaN.
     */
    public static ChoiceOutcome of(int item, double[] logLikelihoods, int[] continuationTokens, boolean[] greedy,
                                   int[] normLengths, int gold) {
        if (normLengths.length != logLikelihoods.length) {
            throw new IllegalArgumentException("item " + item + ": " + normLengths.length + " lengths for "
                    + logLikelihoods.length + " choices");
        }
        double[] normalised = new double[logLikelihoods.length];
        for (int c = 0; c < normalised.length; c++) {
            normalised[c] = normLengths[c] > 0 ? logLikelihoods[c] / normLengths[c] : Double.NEGATIVE_INFINITY;
        }
        return new ChoiceOutcome(item, logLikelihoods, continuationTokens, greedy, argmax(logLikelihoods),
                argmax(normalised), gold);
    }

    private static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    public boolean correct() {
        return pred == gold;
    }

    public boolean correctNorm() {
        return predNorm == gold;
    }

    @Override
    public double value(Metric metric) {
        return switch (metric) {
            case ACC -> correct() ? 1 : 0;
            case ACC_NORM -> correctNorm() ? 1 : 0;
            case PERPLEXITY -> throw new IllegalArgumentException("a multiple-choice item has no perplexity");
            case EXACT_MATCH_STRICT, EXACT_MATCH_FLEXIBLE -> throw new IllegalArgumentException(
                    metric.id() + " is scored from a generation (datasets.GenerationScoring), not log-likelihoods");
        };
    }

    @Override
    public double[] logLikelihoods() {
        return logLikelihoods.clone();
    }

    @Override
    public int[] continuationTokens() {
        return continuationTokens.clone();
    }

    @Override
    public boolean[] greedy() {
        return greedy.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChoiceOutcome c && item == c.item && pred == c.pred && predNorm == c.predNorm
                && gold == c.gold && Arrays.equals(logLikelihoods, c.logLikelihoods)
                && Arrays.equals(continuationTokens, c.continuationTokens) && Arrays.equals(greedy, c.greedy);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(logLikelihoods) * 31 + item;
    }

    @Override
    public String toString() {
        return "ChoiceOutcome[item=" + item + ", lls=" + Arrays.toString(logLikelihoods) + ", contTokens="
                + Arrays.toString(continuationTokens) + ", pred=" + pred + ", predNorm=" + predNorm + ", gold="
                + gold + "]";
    }
}
