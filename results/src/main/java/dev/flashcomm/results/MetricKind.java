package dev.flashcomm.results;

import java.util.Set;

/**
 * How a metric is judged: which direction is worse, and which paired test fits its per-item scores. The one place
 * a metric's direction is written: the task registry ({@code dev.flashcomm.datasets.Metric}) names the metrics a
 * task computes and how, and a test in {@code eval} holds the two to the same ids.
 */
public enum MetricKind {
    /** Perplexity-like: lower is better, per-item scores are summed NLL over a token count. */
    LOWER_IS_BETTER,
    /** Accuracy stored as a fraction in [0, 1]: higher is better, per-item scores are 1/0. */
    ACCURACY,
    /**
     * A non-negative count or position where larger is better (generation agreement's mean first-divergence
     * position): gated by recovery only, with no paired test of its own.
     */
    HIGHER_IS_BETTER,
    /** Anything else: reported, never gated or tested. */
    OTHER;

    private static final Set<String> PERPLEXITY_LIKE =
            Set.of("perplexity", "word_perplexity", "byte_perplexity", "bits_per_byte");
    /** GSM8K's exact match under its two filters is a 1/0 per item like {@code acc}. */
    private static final Set<String> ACCURACY_LIKE =
            Set.of("acc", "acc_norm", "acc_subject_mean", "exact_match_strict", "exact_match_flexible");
    /** Generation agreement with the baseline (eval's {@code AgreementMetrics}): per-item 1/0 agree flags. */
    private static final Set<String> AGREEMENT_LIKE = Set.of("agreement");
    private static final Set<String> HIGHER_LIKE = Set.of("first_divergence");

    /** Whether a larger value is the better one; OTHER metrics have no direction. */
    public boolean higherIsBetter() {
        return this == ACCURACY || this == HIGHER_IS_BETTER;
    }

    public static MetricKind of(String metric) {
        if (PERPLEXITY_LIKE.contains(metric)) {
            return LOWER_IS_BETTER;
        }
        if (ACCURACY_LIKE.contains(metric) || AGREEMENT_LIKE.contains(metric)) {
            return ACCURACY;
        }
        return HIGHER_LIKE.contains(metric) ? HIGHER_IS_BETTER : OTHER;
    }
}
