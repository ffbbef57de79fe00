package dev.flashcomm.results;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;

/**
 * The per-item scores CSV (columns MODEL, TP, COMM, TASK, METRIC, ITEM, VALUE, WEIGHT), one line per item of each
 * cell, kept so that comm formats can be tested against the baseline on the same items after the run. Like the
 * results CSV it starts with its header and has no comment lines.
 */
public final class ItemsCsv {

    private static final CSVFormat FORMAT = CsvFiles.writeFormat(ItemColumn.class);

    private ItemsCsv() {
    }

    /**
     * Writes the scores atomically, cells in a fixed order (model, tp, comm, task, metric) so reruns diff cleanly,
     * items in the order given.
     *
     * @throws ResultsException when the file cannot be written
     */
    public static void write(Path target, Map<CellKey, List<ItemScore>> items) {
        List<CellKey> cells = new ArrayList<>(items.keySet());
        cells.sort(CellKey.ORDER);
        Map<CellKey, List<ItemScore>> copy = new LinkedHashMap<>();
        for (CellKey cell : cells) {
            copy.put(cell, List.copyOf(items.get(cell)));
        }
        CsvFiles.writeAtomically(target, FORMAT, printer -> {
            for (Map.Entry<CellKey, List<ItemScore>> entry : copy.entrySet()) {
                CellKey k = entry.getKey();
                for (ItemScore s : entry.getValue()) {
                    printer.printRecord(k.model(), Integer.toString(k.tp()), k.comm(), k.task(), k.metric(),
                            Integer.toString(s.item()), CsvCells.format(s.value()), Long.toString(s.weight()));
                }
            }
        });
    }

    /**
     * Reads per-item scores back, grouped by cell in file order.
     *
     * @throws ResultsException naming the file (and line) on a missing file, empty file, missing column, bad number,
     *         invalid score or an item listed twice for one cell
     */
    public static Map<CellKey, List<ItemScore>> read(Path file) {
        Map<CellKey, List<ItemScore>> items = new LinkedHashMap<>();
        Map<CellKey, Set<Integer>> seen = new LinkedHashMap<>();
        CsvFiles.read(file, ItemColumn.class, c -> {
            CellKey cell = new CellKey(c.text(ItemColumn.MODEL), c.integer(ItemColumn.TP), c.text(ItemColumn.COMM),
                    c.text(ItemColumn.TASK), c.text(ItemColumn.METRIC));
            ItemScore score = new ItemScore(c.integer(ItemColumn.ITEM), c.finite(ItemColumn.VALUE),
                    c.longInteger(ItemColumn.WEIGHT));
            if (!seen.computeIfAbsent(cell, k -> new HashSet<>()).add(score.item())) {
                throw c.error("item " + score.item() + " listed twice for " + cell);
            }
            items.computeIfAbsent(cell, k -> new ArrayList<>()).add(score);
        });
        Map<CellKey, List<ItemScore>> frozen = new LinkedHashMap<>();
        items.forEach((cell, scores) -> frozen.put(cell, List.copyOf(scores)));
        return Collections.unmodifiableMap(frozen);
    }
}
