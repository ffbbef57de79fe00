package dev.flashcomm.results;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Rows looked up by cell. One comm format may have been run over several paths; a lookup prefers the caller's path
 * and otherwise takes the alphabetically first (so {@code fake}, the numerical reference, when it is there).
 */
final class RowIndex {

    private final Map<CellKey, TreeMap<String, ResultRow>> byCell = new HashMap<>();

    /**
     * @param source names the rows' origin (a file name) in the duplicate-row error
     * @throws ResultsException when two rows share cell and path
     */
    RowIndex(List<ResultRow> rows, String source) {
        for (ResultRow row : rows) {
            ResultRow earlier = byCell.computeIfAbsent(row.cell(), k -> new TreeMap<>()).put(row.commPath(), row);
            if (earlier != null) {
                throw new ResultsException(source + ": duplicate rows for " + row.label());
            }
        }
    }

    Optional<ResultRow> find(CellKey cell, String preferredPath) {
        TreeMap<String, ResultRow> paths = byCell.get(cell);
        if (paths == null) {
            return Optional.empty();
        }
        ResultRow samePath = paths.get(preferredPath);
        return Optional.of(samePath != null ? samePath : paths.firstEntry().getValue());
    }
}
