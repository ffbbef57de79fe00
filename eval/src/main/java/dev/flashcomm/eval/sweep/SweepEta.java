package dev.flashcomm.eval.sweep;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Estimates how long the rest of a sweep takes. Cells differ in cost by orders of magnitude (a perplexity corpus vs
 * a 20-item task), so a plain average would mislead: each remaining cell is estimated from finished cells of the same
 * model, TP and workload (the baseline runs first, so there usually is one), else of the same workload, else from
 * the average of all finished cells.
 */
public final class SweepEta {

    private final List<Cell> remaining;
    private final Map<String, double[]> byModelWorkload = new HashMap<>();
    private final Map<String, double[]> byWorkload = new HashMap<>();
    private double totalSeconds;
    private int finished;

    public SweepEta(List<Cell> toMeasure) {
        this.remaining = new ArrayList<>(toMeasure);
    }

    public void finished(Cell cell, double seconds) {
        remaining.removeIf(c -> c.position() == cell.position());
        add(byModelWorkload, fine(cell), seconds);
        add(byWorkload, cell.workload().name(), seconds);
        totalSeconds += seconds;
        finished++;
    }

    /** Seconds left; NaN before the first cell finished. */
    public double remainingSeconds() {
        if (finished == 0) {
            return remaining.isEmpty() ? 0 : Double.NaN;
        }
        double mean = totalSeconds / finished;
        double sum = 0;
        for (Cell c : remaining) {
            double[] same = byModelWorkload.get(fine(c));
            double[] similar = byWorkload.get(c.workload().name());
            sum += same != null ? same[0] / same[1] : similar != null ? similar[0] / similar[1] : mean;
        }
        return sum;
    }

    private static String fine(Cell c) {
        return c.model().name() + "\n" + c.tp() + "\n" + c.workload().name();
    }

    private static void add(Map<String, double[]> sums, String key, double seconds) {
        double[] s = sums.computeIfAbsent(key, k -> new double[2]);
        s[0] += seconds;
        s[1]++;
    }
}
