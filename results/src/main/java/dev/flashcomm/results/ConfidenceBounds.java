package dev.flashcomm.results;

/**
 * One-sided confidence bounds the gate judges noisy cells by. Accuracies are binomial proportions, for which the
 * Wilson score interval keeps its coverage at the small n of a {@code --limit} run and near 0 or 1, where the normal
 * (Wald) interval collapses to a point; a perplexity is a mean, bounded by the normal approximation from its stderr.
 */
public final class ConfidenceBounds {

    private ConfidenceBounds() {
    }

    /**
     * The one-sided lower Wilson score bound of a proportion: with probability {@code confidence} the true accuracy
     * is at least this.
     *
     * @param p          observed fraction correct, in [0, 1]
     * @param n          items (at least 1)
     * @param confidence in (0.5, 1)
     */
    public static double wilsonLower(double p, long n, double confidence) {
        if (!(p >= 0 && p <= 1) || n < 1) {
            throw new IllegalArgumentException("a Wilson bound needs a fraction in [0, 1] and n >= 1, got " + p
                    + " of " + n);
        }
        double z = zOneSided(confidence);
        double z2n = z * z / n;
        double centre = p + z2n / 2;
        double half = z * Math.sqrt(p * (1 - p) / n + z2n / (4.0 * n));
        return Math.max(0, (centre - half) / (1 + z2n));
    }

    /** The one-sided upper normal bound {@code value + z · stderr}; the value itself when the stderr is unknown. */
    public static double normalUpper(double value, double stderr, double confidence) {
        double z = zOneSided(confidence);
        return Double.isNaN(stderr) ? value : value + z * stderr;
    }

    /** The standard normal quantile z with P(Z <= z) = confidence, e.g. 1.6449 for 0.95. */
    public static double zOneSided(double confidence) {
        if (!(confidence > 0.5 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be in (0.5, 1), got " + confidence);
        }
        return inverseNormal(confidence);
    }

    /**
     * Acklam's rational approximation of the standard normal quantile: relative error below 1.2e-9, far finer than
     * any confidence level a gate is given with.
     */
    static double inverseNormal(double p) {
        double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
        double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                6.680131188771972e+01, -1.328068155288572e+01};
        double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
        double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                3.754408661907416e+00};
        double low = 0.02425;
        double x;
        if (p < low) {
            double q = Math.sqrt(-2 * Math.log(p));
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        } else if (p <= 1 - low) {
            double q = p - 0.5;
            double r = q * q;
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                    / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
        } else {
            double q = Math.sqrt(-2 * Math.log(1 - p));
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        return x;
    }

}
