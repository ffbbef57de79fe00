package dev.flashcomm.eval.sweep;

import dev.flashcomm.tp.comm.CommSettings;
import java.util.Locale;
import java.util.Objects;

/**
 * One unit of a sweep: a model at a TP degree under a communication setting, measuring one workload.
 *
 * @param position the cell's place in the matrix order, which shards are dealt by
 */
public record Cell(int position, PreparedModel model, int tp, CommSettings comm, Workload workload) {

    public Cell {
        if (position < 0 || tp < 1) {
            throw new IllegalArgumentException("position must be >= 0 and tp >= 1");
        }
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(comm, "comm");
        Objects.requireNonNull(workload, "workload");
    }

    /** E.g. {@code llama3-tiny tp=2 int4-asym-g128 piqa}. */
    public String label() {
        return model.name() + " tp=" + tp + " " + comm.label() + " " + workload.name();
    }

    /** The COMM_PATH column. */
    public String commPath() {
        return comm.path().name().toLowerCase(Locale.ROOT);
    }
}
