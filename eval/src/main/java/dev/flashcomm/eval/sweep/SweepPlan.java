package dev.flashcomm.eval.sweep;

import java.util.List;
import java.util.Objects;

/**
 * A checked sweep: every input was read and found usable, and the matrix is laid out in its fixed order (model, TP,
 * communication setting with the baseline first, then perplexity corpora and tasks).
 *
 * @param notes things the user should know that are not errors (a defaulted window length, a TP of 1)
 */
public record SweepPlan(SweepConfig config, List<PreparedModel> models, List<Cell> cells, List<String> notes) {

    public SweepPlan {
        Objects.requireNonNull(config, "config");
        models = List.copyOf(models);
        cells = List.copyOf(cells);
        notes = List.copyOf(notes);
    }

    /** The cells this job's shard runs, in matrix order. */
    public List<Cell> owned() {
        return cells.stream().filter(c -> config.shard().owns(c.position())).toList();
    }
}
