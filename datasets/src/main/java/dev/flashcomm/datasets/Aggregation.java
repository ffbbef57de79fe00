package dev.flashcomm.datasets;

/** How per-item values of a metric become one number, as registered in lm-eval's {@code metrics.py}. */
public enum Aggregation {
    /** The mean of per-item values (accuracies). */
    MEAN,
    /** {@code exp(-mean)} of per-item log-likelihoods (lm-eval's {@code perplexity}). */
    EXP_NEG_MEAN;

    /** Aggregates per-item values; there must be at least one. */
    public double aggregate(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("nothing to aggregate");
        }
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        double mean = sum / values.length;
        return this == MEAN ? mean : Math.exp(-mean);
    }
}
