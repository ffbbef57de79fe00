package dev.flashcomm.datasets;

import java.util.Arrays;
import java.util.Optional;

/** A task metric, registered once with its results-file id, direction and aggregation (as in lm-eval). */
public enum Metric {
    ACC("acc", true, Aggregation.MEAN),
    ACC_NORM("acc_norm", true, Aggregation.MEAN),
    /** Perplexity of the target continuation, from per-item log-likelihoods. */
    PERPLEXITY("perplexity", false, Aggregation.EXP_NEG_MEAN);

    private final String id;
    private final boolean higherIsBetter;
    private final Aggregation aggregation;

    Metric(String id, boolean higherIsBetter, Aggregation aggregation) {
        this.id = id;
        this.higherIsBetter = higherIsBetter;
        this.aggregation = aggregation;
    }

    /** The name used in results files and by lm-eval: {@code acc}, {@code acc_norm}, {@code perplexity}. */
    public String id() {
        return id;
    }

    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    public Aggregation aggregation() {
        return aggregation;
    }

    /** The metric with this {@link #id()}. */
    public static Optional<Metric> fromId(String id) {
        return Arrays.stream(values()).filter(m -> m.id.equals(id)).findFirst();
    }
}
