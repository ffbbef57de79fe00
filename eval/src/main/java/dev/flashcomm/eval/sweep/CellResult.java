package dev.flashcomm.eval.sweep;

import dev.flashcomm.eval.lm.Generation;
import dev.flashcomm.results.CellKey;
import dev.flashcomm.results.CommErrorRow;
import dev.flashcomm.results.ItemScore;
import dev.flashcomm.results.ResultRow;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one cell measured: a row per metric, not yet compared with the baseline, and the per-item scores of each.
 *
 * @param commErrors per layer and site error the communication introduced; empty unless diagnostics were asked for
 *                   (never cached)
 * @param computed   false when the result came from the cache
 * @param generations per prompt, in prompt order, what a generation cell generated (cached with it); empty for
 *                   other cells
 */
public record CellResult(List<ResultRow> rows, Map<CellKey, List<ItemScore>> items, List<CommErrorRow> commErrors,
                         boolean computed, List<Generation> generations) {

    public CellResult {
        rows = List.copyOf(rows);
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("a cell result needs at least one row");
        }
        Map<CellKey, List<ItemScore>> copy = new LinkedHashMap<>();
        items.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        items = Collections.unmodifiableMap(copy);
        commErrors = List.copyOf(commErrors);
        generations = List.copyOf(generations);
    }

    public CellResult(List<ResultRow> rows, Map<CellKey, List<ItemScore>> items, List<CommErrorRow> commErrors,
                      boolean computed) {
        this(rows, items, commErrors, computed, List.of());
    }

    public CellResult(List<ResultRow> rows, Map<CellKey, List<ItemScore>> items, boolean computed) {
        this(rows, items, List.of(), computed);
    }
}
