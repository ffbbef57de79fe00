package dev.flashcomm.results;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Outcome of the CI gate.
 *
 * @param verdicts      one per metric row compared with a reference, in file order
 * @param notGated      one line per row that was not compared (unknown metric, no bound for its kind, or no
 *                      counterpart in the baseline file)
 * @param cellsInFile   cells of the results file, counted as a sweep counts them: model × TP × comm (and path) ×
 *                      task, whatever its number of metrics
 * @param baselineCells of those, the cells of the baseline format (their own reference, so not judged)
 */
public record GateReport(List<GateVerdict> verdicts, List<String> notGated, int cellsInFile, int baselineCells) {

    public GateReport {
        verdicts = List.copyOf(verdicts);
        notGated = List.copyOf(notGated);
        if (cellsInFile < 0 || baselineCells < 0) {
            throw new IllegalArgumentException("cell counts must be >= 0");
        }
    }

    /** True when no judged row failed (also when nothing could be checked: see {@link #checked()}). */
    public boolean passed() {
        return verdicts.stream().noneMatch(GateVerdict::failed);
    }

    /** Metric rows compared with a bound. */
    public int checked() {
        return verdicts.size();
    }

    /** Cells with at least one judged row, counted as {@link #cellsInFile()} counts them. */
    public int cellsChecked() {
        return cellCount(verdicts.stream().map(GateVerdict::row).toList());
    }

    /** Cells with at least one failed row. */
    public int cellsFailed() {
        return cellCount(verdicts.stream().filter(GateVerdict::failed).map(GateVerdict::row).toList());
    }

    /** One readable line per failed row: {@code cell: baseline -> value (why)}. */
    public List<String> violations() {
        List<String> out = new ArrayList<>();
        for (GateVerdict v : verdicts) {
            if (v.failed()) {
                out.add(v.cell() + ": " + value(v.row(), v.baseline()) + " -> " + value(v.row(), v.row().value())
                        + " (" + v.reason() + ")");
            }
        }
        return out;
    }

    /** A sweep's cell: the row's model, TP, comm, path and task (its metrics are rows of one cell). */
    static int cellCount(List<ResultRow> rows) {
        Set<List<Object>> cells = new HashSet<>();
        for (ResultRow r : rows) {
            cells.add(List.of(r.model(), r.tp(), r.comm(), r.commPath(), r.task()));
        }
        return cells.size();
    }

    /**
     * The table the gate prints: per judged row its value, baseline, delta, the bound judged (the value, or its
     * confidence bound), the limit the bounds allow, the p-value and the verdict; then the rows not gated and a
     * closing line with cells counted as a sweep counts them. Accuracies in %, deltas in points; perplexity deltas
     * relative.
     */
    public String render(String bounds, String baselineComm) {
        List<String[]> table = new ArrayList<>();
        table.add(new String[] {"cell", "value", "baseline", "delta", "bound", "limit", "p", "verdict"});
        for (GateVerdict v : verdicts) {
            ResultRow r = v.row();
            boolean accuracy = r.metricKind() == MetricKind.ACCURACY;
            String delta = accuracy ? fmt("%+.2f pt", 100 * v.delta())
                    : v.baseline() != 0 ? fmt("%+.2f%%", 100 * v.delta() / v.baseline()) : fmt("%+.3f", v.delta());
            String limit = (r.metricKind().higherIsBetter() ? ">= " : "<= ") + value(r, v.limit());
            String verdict = switch (v.outcome()) {
                case PASS -> "pass";
                case PASS_NOT_SIGNIFICANT -> "pass (" + v.reason() + ")";
                case FAIL -> "FAIL (" + v.reason() + ")";
            };
            table.add(new String[] {v.cell(), value(r, r.value()), value(r, v.baseline()), delta,
                    value(r, v.bound()), limit, v.pValue().isPresent() ? pValue(v.pValue().getAsDouble()) : "-",
                    verdict});
        }
        StringBuilder out = new StringBuilder();
        if (!verdicts.isEmpty()) {
            out.append(TextTable.layout(table, i -> i == 0 || i == table.get(0).length - 1));
        }
        notGated.forEach(line -> out.append("not gated   ").append(line).append('\n'));
        String cells = String.format(Locale.ROOT, "%d of %d cells (%d metric row%s) against %s; %d %s %s the "
                        + "reference", cellsChecked(), cellsInFile, checked(), checked() == 1 ? "" : "s", baselineComm,
                baselineCells, baselineComm, baselineCells == 1 ? "cell is" : "cells are");
        if (passed()) {
            out.append("gate passed: ").append(cells).append(", all within bounds (").append(bounds).append(")\n");
        } else {
            out.append(String.format(Locale.ROOT, "gate FAILED: %d of %d cells out of bounds; %s (%s)%n",
                    cellsFailed(), cellsChecked(), cells, bounds));
        }
        return out.toString();
    }

    /** Three decimals, or two significant digits below 0.001 (a bootstrap's p may be 0). */
    static String pValue(double p) {
        return p == 0 || p >= 0.001 ? fmt("%.3f", p) : fmt("%.1e", p);
    }

    private static String value(ResultRow r, double v) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        return r.metricKind() == MetricKind.ACCURACY ? fmt("%.2f", 100 * v) : fmt("%.3f", v);
    }

    private static String fmt(String format, double v) {
        return String.format(Locale.ROOT, format, v);
    }
}
