package dev.flashcomm.eval.tasks;

import dev.flashcomm.datasets.Aggregation;
import dev.flashcomm.datasets.Metric;
import java.util.Objects;

/**
 * One aggregated task metric.
 *
 * @param stderr standard error; NaN when fewer than two items make it undefined
 * @param n      items aggregated
 */
public record MetricValue(Metric metric, double value, double stderr, int n) {

    public MetricValue {
        Objects.requireNonNull(metric, "metric");
        if (n < 1) {
            throw new IllegalArgumentException(metric.id() + ": needs at least one item, got " + n);
        }
        if (!(Double.isNaN(stderr) || stderr >= 0)) {
            throw new IllegalArgumentException(metric.id() + ": stderr must be >= 0 or NaN, got " + stderr);
        }
    }

    /**
     * Aggregates per-item values as {@code metric} is registered. A mean's stderr is lm-eval's: sample std (n−1)
     * over √n. For {@code exp(-mean ll)} lm-eval bootstraps; we use the delta method instead,
     * {@code se(ppl) = ppl · se(mean ll)}, since d/dμ exp(−μ) = −exp(−μ): deterministic, instant, and within
     * bootstrap noise of it for the hundreds of items a task has.
     */
    public static MetricValue aggregate(Metric metric, double[] perItem) {
        Aggregation aggregation = metric.aggregation();
        double value = aggregation.aggregate(perItem);
        double seMean = standardErrorOfMean(perItem);
        double stderr = switch (aggregation) {
            case MEAN -> seMean;
            case EXP_NEG_MEAN -> value * seMean;
        };
        return new MetricValue(metric, value, stderr, perItem.length);
    }

    /** lm-eval's stderr of a mean: sample std (n−1) over √n; NaN below two values. */
    public static double standardErrorOfMean(double[] v) {
        int n = v.length;
        if (n < 2) {
            return Double.NaN;
        }
        double mean = 0;
        for (double x : v) {
            mean += x;
        }
        mean /= n;
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        return Math.sqrt(ss / (n - 1) / n);
    }
}
