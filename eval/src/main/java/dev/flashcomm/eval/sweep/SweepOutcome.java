package dev.flashcomm.eval.sweep;

import dev.flashcomm.results.CellKey;
import dev.flashcomm.results.CommErrorRow;
import dev.flashcomm.results.ItemScore;
import dev.flashcomm.results.ResultRow;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The measurements of one sweep run (one shard), in matrix order, not yet compared with the baseline.
 *
 * @param commErrors per layer and site communication error of the computed cells, when diagnostics were asked for
 * @param computed   cells measured in this run
 * @param resumed    cells taken from the cache
 * @param generations what each generation cell generated, in matrix order
 */
public record SweepOutcome(List<ResultRow> rows, Map<CellKey, List<ItemScore>> items, List<CommErrorRow> commErrors,
                           int computed, int resumed, List<CellGenerations> generations) {

    public SweepOutcome {
        rows = List.copyOf(rows);
        Map<CellKey, List<ItemScore>> copy = new LinkedHashMap<>();
        items.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        items = Collections.unmodifiableMap(copy);
        commErrors = List.copyOf(commErrors);
        generations = List.copyOf(generations);
        if (computed < 0 || resumed < 0) {
            throw new IllegalArgumentException("cell counts must be >= 0");
        }
    }
}
