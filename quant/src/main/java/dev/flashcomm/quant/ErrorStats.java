package dev.flashcomm.quant;

/**
 * How far an approximate all-reduce result is from the exact one.
 *
 * @param relativeL2  {@code ||approx - exact||_2 / ||exact||_2}, accumulated in double; 0 when both are all zeros,
 *                    infinite when only the exact sum is all zeros
 * @param maxAbsError {@code max_i |approx[i] - exact[i]|}
 */
public record ErrorStats(double relativeL2, double maxAbsError) {

    public ErrorStats {
        if (relativeL2 < 0 || maxAbsError < 0) {
            throw new IllegalArgumentException("errors must be non-negative, got relativeL2=" + relativeL2 + ", maxAbsError=" + maxAbsError);
        }
    }

    public static ErrorStats between(float[] exact, float[] approx) {
        if (exact.length != approx.length) {
            throw new IllegalArgumentException("cannot compare " + exact.length + " exact values with " + approx.length + " approximate ones");
        }
        double diffSquares = 0;
        double exactSquares = 0;
        double maxAbs = 0;
        for (int i = 0; i < exact.length; i++) {
            double e = exact[i];
            double d = (double) approx[i] - e;
            diffSquares += d * d;
            exactSquares += e * e;
            // written so that a NaN difference is carried, not skipped
            maxAbs = Math.max(maxAbs, Math.abs(d));
        }
        double relative = exactSquares == 0 ? (diffSquares == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(diffSquares / exactSquares);
        return new ErrorStats(relative, maxAbs);
    }
}
