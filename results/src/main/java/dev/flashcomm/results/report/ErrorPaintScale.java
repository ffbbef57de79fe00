package dev.flashcomm.results.report;

import java.awt.Color;
import java.awt.Paint;
import java.io.Serializable;
import org.jfree.chart.renderer.PaintScale;

/**
 * A perceptually ordered colour ramp (dark blue, teal, green, yellow: the viridis anchors) over a range of
 * log10 errors, so that small and large communication errors stay distinguishable on one heatmap and in print.
 */
final class ErrorPaintScale implements PaintScale, Serializable {

    private static final long serialVersionUID = 1L;
    private static final int[][] ANCHORS = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98},
            {253, 231, 37}};

    private final double lower;
    private final double upper;

    ErrorPaintScale(double lower, double upper) {
        if (!(upper > lower)) {
            throw new IllegalArgumentException("colour scale needs lower < upper, got " + lower + ", " + upper);
        }
        this.lower = lower;
        this.upper = upper;
    }

    @Override
    public double getLowerBound() {
        return lower;
    }

    @Override
    public double getUpperBound() {
        return upper;
    }

    @Override
    public Paint getPaint(double value) {
        double t = Double.isNaN(value) ? 0 : Math.max(0, Math.min(1, (value - lower) / (upper - lower)));
        double pos = t * (ANCHORS.length - 1);
        int i = Math.min((int) pos, ANCHORS.length - 2);
        double f = pos - i;
        int[] a = ANCHORS[i];
        int[] b = ANCHORS[i + 1];
        return new Color(mix(a[0], b[0], f), mix(a[1], b[1], f), mix(a[2], b[2], f));
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round(a + (b - a) * f);
    }
}
