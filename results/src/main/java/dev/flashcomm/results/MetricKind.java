package dev.flashcomm.results;

import java.util.Set;

/** How a metric is judged: which direction is worse, and which paired test fits its per-item scores. */
public enum MetricKind {
    /** Perplexity-like: lower is better, per-item scores are summed NLL over a token count. */
    LOWER_IS_BETTER,
    /** Accuracy stored as a fraction in [0, 1]: higher is better, per-item scores are 1/0. */
    ACCURACY,
    /** Anything else: reported, never gated or tested. */
    OTHER;

    private static final Set<String> PERPLEXITY_LIKE =
            Set.of("perplexity", "word_perplexity", "byte_perplexity", "bits_per_byte");
    private static final Set<String> ACCURACY_LIKE = Set.of("acc", "acc_norm");

    public static MetricKind of(String metric) {
        if (PERPLEXITY_LIKE.contains(metric)) {
            return LOWER_IS_BETTER;
        }
        return ACCURACY_LIKE.contains(metric) ? ACCURACY : OTHER;
    }
}
