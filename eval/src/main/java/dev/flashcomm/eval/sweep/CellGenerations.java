package dev.flashcomm.eval.sweep;

import dev.flashcomm.eval.lm.Generation;
import java.util.List;
import java.util.Objects;

/**
 * What one generation cell generated, with the cell's identity as results.csv spells it, for
 * {@code generations.jsonl}.
 *
 * @param generations per prompt, in prompt order (the index is the item index of items.csv)
 */
public record CellGenerations(String model, int tp, String comm, String commPath, String task,
                              List<Generation> generations) {

    public CellGenerations {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(comm, "comm");
        Objects.requireNonNull(commPath, "commPath");
        Objects.requireNonNull(task, "task");
        generations = List.copyOf(generations);
    }

    static CellGenerations of(Cell cell, List<Generation> generations) {
        return new CellGenerations(cell.model().name(), cell.tp(), cell.comm().label(), cell.commPath(),
                cell.workload().name(), generations);
    }
}
