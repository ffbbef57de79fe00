package dev.flashcomm.datasets;

import java.util.Arrays;
import java.util.Optional;

/**
 * A task metric, registered once with its results-file id and how per-item values become it (as in lm-eval).
 *
 * <p>How a metric is judged (which direction is worse, which paired test fits) is not declared here: the results
 * vocabulary, {@code dev.flashcomm.results.MetricKind}, owns it for every metric id a results file can hold, and a
 * test in {@code eval} checks that it knows each of these ids and agrees with its aggregation. Neither module may
 * depend on the other, so the id is the shared key and the direction is written once.
 */
public enum Metric {
    ACC("acc", Aggregation.MEAN, "acc,none"),
    ACC_NORM("acc_norm", Aggregation.MEAN, "acc_norm,none"),
    /** Perplexity of the target continuation, from per-item log-likelihoods. */
    PERPLEXITY("perplexity", Aggregation.EXP_NEG_MEAN, "perplexity,none"),
    /** GSM8K's {@code exact_match} after its {@code strict-match} filter ({@link AnswerFilter#STRICT_MATCH}). */
    EXACT_MATCH_STRICT("exact_match_strict", Aggregation.MEAN, "exact_match,strict-match"),
    /** GSM8K's {@code exact_match} after its {@code flexible-extract} filter ({@link AnswerFilter#FLEXIBLE_EXTRACT}). */
    EXACT_MATCH_FLEXIBLE("exact_match_flexible", Aggregation.MEAN, "exact_match,flexible-extract");

    private final String id;
    private final Aggregation aggregation;
    private final String lmEvalKey;

    Metric(String id, Aggregation aggregation, String lmEvalKey) {
        this.id = id;
        this.aggregation = aggregation;
        this.lmEvalKey = lmEvalKey;
    }

    /**
     * The key lm-eval's {@code results.json} files this metric under, {@code "<metric>,<filter>"} (filter
     * {@code none} where the task has no filter list); its stderr is {@code "<metric>_stderr,<filter>"}.
     */
    public String lmEvalKey() {
        return lmEvalKey;
    }

    /** lm-eval's key of this metric's standard error, e.g. {@code "exact_match_stderr,strict-match"}. */
    public String lmEvalStderrKey() {
        int comma = lmEvalKey.indexOf(',');
        return lmEvalKey.substring(0, comma) + "_stderr" + lmEvalKey.substring(comma);
    }

    /** The name used in results files: {@code acc}, {@code acc_norm}, {@code perplexity}, {@code exact_match_strict}... */
    public String id() {
        return id;
    }

    public Aggregation aggregation() {
        return aggregation;
    }

    /** The metric with this {@link #id()}. */
    public static Optional<Metric> fromId(String id) {
        return Arrays.stream(values()).filter(m -> m.id.equals(id)).findFirst();
    }
}
