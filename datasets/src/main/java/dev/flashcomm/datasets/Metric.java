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
    ACC("acc", Aggregation.MEAN),
    ACC_NORM("acc_norm", Aggregation.MEAN),
    /** Perplexity of the target continuation, from per-item log-likelihoods. */
    PERPLEXITY("perplexity", Aggregation.EXP_NEG_MEAN);

    private final String id;
    private final Aggregation aggregation;

    Metric(String id, Aggregation aggregation) {
        this.id = id;
        this.aggregation = aggregation;
    }

    /** The name used in results files and by lm-eval: {@code acc}, {@code acc_norm}, {@code perplexity}. */
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
