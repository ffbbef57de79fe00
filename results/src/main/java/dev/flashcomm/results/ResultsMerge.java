package dev.flashcomm.results;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Joins the outputs of {@code --shard i/n} runs. Shards may repeat a cell (typically each one measures the baseline it
 * needs); repeated cells must agree on the measurement, otherwise the shards did not run the same experiment.
 */
public final class ResultsMerge {

    /**
     * Relative tolerance for repeated measurements: the same code on another machine or thread count may sum in a
     * different order, which moves an fp32 result in its last bits, never by 1e-6.
     */
    static final double AGREEMENT = 1e-6;

    static final Comparator<ResultRow> ORDER = Comparator.comparing(ResultRow::model)
            .thenComparingInt(ResultRow::tp)
            .thenComparing(ResultRow::comm)
            .thenComparing(ResultRow::commPath)
            .thenComparing(ResultRow::task)
            .thenComparing(ResultRow::metric);

    private ResultsMerge() {
    }

    /**
     * Union of the pieces, sorted by model, tp, comm, comm path, task and metric. A cell present in several pieces
     * is kept once, from the first piece; its copies must agree on VALUE and STDERR (within {@link #AGREEMENT}), N,
     * BYTES_PER_FORWARD, PROTOCOL and TASK_VERSION. Wall time, settings and tool version may differ, and comparison
     * columns should be recomputed on the merged rows with {@link BaselineComparison}.
     *
     * @throws ResultsException naming the cell and the pieces (1-based) that disagree
     */
    public static List<ResultRow> merge(List<List<ResultRow>> pieces) {
        Map<List<Object>, ResultRow> kept = new HashMap<>();
        Map<List<Object>, Integer> keptFrom = new HashMap<>();
        for (int p = 0; p < pieces.size(); p++) {
            for (ResultRow row : pieces.get(p)) {
                List<Object> key = List.of(row.cell(), row.commPath());
                ResultRow earlier = kept.putIfAbsent(key, row);
                if (earlier == null) {
                    keptFrom.put(key, p);
                    continue;
                }
                String conflict = conflict(earlier, row);
                if (conflict != null) {
                    throw new ResultsException("pieces " + (keptFrom.get(key) + 1) + " and " + (p + 1)
                            + " disagree on " + row.label() + ": " + conflict);
                }
            }
        }
        List<ResultRow> merged = new ArrayList<>(kept.values());
        merged.sort(ORDER);
        return List.copyOf(merged);
    }

    /**
     * Union of per-item score pieces, cells sorted by model, tp, comm, task and metric. A cell in several pieces must
     * have the same items with the same weights and agreeing values.
     *
     * @throws ResultsException naming the cell and the pieces (1-based) that disagree
     */
    public static Map<CellKey, List<ItemScore>> mergeItems(List<Map<CellKey, List<ItemScore>>> pieces) {
        Map<CellKey, List<ItemScore>> kept = new TreeMap<>(CellKey.ORDER);
        Map<CellKey, Integer> keptFrom = new HashMap<>();
        for (int p = 0; p < pieces.size(); p++) {
            for (Map.Entry<CellKey, List<ItemScore>> entry : pieces.get(p).entrySet()) {
                List<ItemScore> scores = List.copyOf(entry.getValue());
                List<ItemScore> earlier = kept.putIfAbsent(entry.getKey(), scores);
                if (earlier == null) {
                    keptFrom.put(entry.getKey(), p);
                } else if (!sameScores(earlier, scores)) {
                    throw new ResultsException("pieces " + (keptFrom.get(entry.getKey()) + 1) + " and " + (p + 1)
                            + " disagree on the per-item scores of " + entry.getKey());
                }
            }
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>(kept));
    }

    /** The first measured field on which two copies of a cell disagree, or null. */
    private static String conflict(ResultRow a, ResultRow b) {
        if (!agree(a.value(), b.value())) {
            return "VALUE " + a.value() + " vs " + b.value();
        }
        if (!agree(a.stderr(), b.stderr())) {
            return "STDERR " + a.stderr() + " vs " + b.stderr();
        }
        if (a.n() != b.n()) {
            return "N " + a.n() + " vs " + b.n();
        }
        if (a.bytesPerForward() != b.bytesPerForward()) {
            return "BYTES_PER_FORWARD " + a.bytesPerForward() + " vs " + b.bytesPerForward();
        }
        if (!a.protocol().equals(b.protocol())) {
            return "PROTOCOL '" + a.protocol() + "' vs '" + b.protocol() + "'";
        }
        if (a.taskVersion() != b.taskVersion()) {
            return "TASK_VERSION " + a.taskVersion() + " vs " + b.taskVersion();
        }
        return null;
    }

    private static boolean sameScores(List<ItemScore> a, List<ItemScore> b) {
        if (a.size() != b.size()) {
            return false;
        }
        Comparator<ItemScore> byItem = Comparator.comparingInt(ItemScore::item);
        List<ItemScore> x = new ArrayList<>(a);
        List<ItemScore> y = new ArrayList<>(b);
        x.sort(byItem);
        y.sort(byItem);
        for (int i = 0; i < x.size(); i++) {
            ItemScore s = x.get(i);
            ItemScore t = y.get(i);
            if (s.item() != t.item() || s.weight() != t.weight() || !agree(s.value(), t.value())) {
                return false;
            }
        }
        return true;
    }

    private static boolean agree(double a, double b) {
        if (!Double.isFinite(a) || !Double.isFinite(b)) {
            return Double.compare(a, b) == 0; // NaN agrees with NaN, an infinity only with itself
        }
        return Math.abs(a - b) <= AGREEMENT * Math.max(Math.abs(a), Math.abs(b));
    }
}
