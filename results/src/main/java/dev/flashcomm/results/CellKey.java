package dev.flashcomm.results;

import java.util.Comparator;

/**
 * One measured cell of a sweep, without the communication path: packed and ring transport are bit-identical to the
 * fake-quant path (docs/flash-allreduce.md), so per-item scores are shared by all paths of one comm format.
 */
public record CellKey(String model, int tp, String comm, String task, String metric) {

    static final Comparator<CellKey> ORDER = Comparator.comparing(CellKey::model)
            .thenComparingInt(CellKey::tp)
            .thenComparing(CellKey::comm)
            .thenComparing(CellKey::task)
            .thenComparing(CellKey::metric);

    public CellKey {
        Checks.requireName("model", model);
        Checks.requireName("comm", comm);
        Checks.requireName("task", task);
        Checks.requireName("metric", metric);
        if (tp < 1) {
            throw new IllegalArgumentException("tp must be >= 1, got " + tp);
        }
    }

    /** The same cell measured with another communication format (e.g. the baseline's). */
    public CellKey withComm(String otherComm) {
        return new CellKey(model, tp, otherComm, task, metric);
    }

    /** Reads as in user messages, e.g. {@code llama3-tiny tp=2 int4-asym-g128 piqa acc}. */
    @Override
    public String toString() {
        return model + " tp=" + tp + " " + comm + " " + task + " " + metric;
    }
}
