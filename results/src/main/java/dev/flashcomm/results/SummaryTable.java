package dev.flashcomm.results;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * A fixed-width terminal table of results: one line per model/tp/task/metric, one column per comm format with the
 * baseline first. A cell reads {@code value (delta)} when the row was compared with a baseline: accuracies in percent
 * with the delta in points, perplexities with the relative delta in percent; {@code *} marks p < 0.05.
 */
public final class SummaryTable {

    private static final double SIGNIFICANT = 0.05;

    private SummaryTable() {
    }

    /** Renders with {@code fp16} as the baseline column. */
    public static String render(List<ResultRow> rows) {
        return render(rows, BaselineComparison.DEFAULT_BASELINE_COMM);
    }

    public static String render(List<ResultRow> rows, String baselineComm) {
        if (rows.isEmpty()) {
            return "(no results)\n";
        }
        // the four key columns left-aligned, the numbers right-aligned
        return TextTable.layout(cells(rows, baselineComm), i -> i < 4) + legend(baselineComm) + "\n";
    }

    /** What the table's last line says about its units and the significance mark. */
    public static String legend(String baselineComm) {
        return "accuracy in %, delta in points; perplexity delta relative; * p < 0.05 vs " + baselineComm;
    }

    /**
     * The table's cells, header first: the same text the terminal table shows, for other renderings (the HTML
     * report).
     */
    public static List<String[]> cells(List<ResultRow> rows, String baselineComm) {
        CommLabels labels = new CommLabels(rows);
        List<String> columns = commColumns(rows, labels, baselineComm);
        Map<List<Object>, Map<String, String>> lines = new LinkedHashMap<>();
        List<ResultRow> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparing(ResultRow::model).thenComparingInt(ResultRow::tp)
                .thenComparing(ResultRow::task).thenComparing(ResultRow::metric));
        for (ResultRow row : sorted) {
            List<Object> key = List.of(row.model(), row.tp(), row.task(), row.metric());
            lines.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(labels.comm(row), cell(row, baselineComm));
        }

        List<String[]> table = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("model", "tp", "task", "metric"));
        header.addAll(columns);
        table.add(header.toArray(new String[0]));
        lines.forEach((key, cells) -> {
            List<String> line = new ArrayList<>();
            key.forEach(part -> line.add(part.toString()));
            columns.forEach(comm -> line.add(cells.getOrDefault(comm, "-")));
            table.add(line.toArray(new String[0]));
        });
        return table;
    }

    private static List<String> commColumns(List<ResultRow> rows, CommLabels labels, String baselineComm) {
        TreeSet<String> baseline = new TreeSet<>();
        TreeSet<String> others = new TreeSet<>();
        for (ResultRow row : rows) {
            (row.isBaseline(baselineComm) ? baseline : others).add(labels.comm(row));
        }
        List<String> columns = new ArrayList<>(baseline);
        columns.addAll(others);
        return columns;
    }

    private static String cell(ResultRow row, String baselineComm) {
        MetricKind kind = row.metricKind();
        String value = switch (kind) {
            case ACCURACY -> fmt("%.2f", 100 * row.value());
            case LOWER_IS_BETTER, HIGHER_IS_BETTER -> fmt("%.3f", row.value());
            case OTHER -> fmt("%.4g", row.value());
        };
        if (row.isBaseline(baselineComm) || row.delta().isEmpty()) {
            return value;
        }
        String delta = switch (kind) {
            case ACCURACY -> fmt("%+.2f", 100 * row.delta().getAsDouble());
            case LOWER_IS_BETTER, HIGHER_IS_BETTER -> row.relDelta().isPresent()
                    ? fmt("%+.2f%%", 100 * row.relDelta().getAsDouble())
                    : fmt("%+.3f", row.delta().getAsDouble());
            case OTHER -> fmt("%+.4g", row.delta().getAsDouble());
        };
        boolean significant = row.pValue().isPresent() && row.pValue().getAsDouble() < SIGNIFICANT;
        return value + " (" + delta + ")" + (significant ? "*" : "");
    }

    private static String fmt(String format, double value) {
        return String.format(Locale.ROOT, format, value);
    }
}
