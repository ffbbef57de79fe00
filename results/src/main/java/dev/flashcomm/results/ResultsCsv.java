package dev.flashcomm.results;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;

/**
 * The tidy results CSV: one row per model × tp × comm × task × metric (columns: {@link Column}), the header on the
 * first line and no comment lines, so any CSV reader takes it with its defaults. Absent optional numbers and a NaN
 * standard error are empty cells. Provenance lives in {@link ResultsJson} beside it.
 */
public final class ResultsCsv {

    private static final CSVFormat FORMAT = CsvFiles.writeFormat(Column.class);

    private ResultsCsv() {
    }

    /**
     * Writes {@code rows} atomically (temporary file in the same directory, then an atomic move).
     *
     * @throws ResultsException when the file cannot be written
     */
    public static void write(Path target, List<ResultRow> rows) {
        List<ResultRow> copy = List.copyOf(rows);
        CsvFiles.writeAtomically(target, FORMAT, printer -> {
            for (ResultRow row : copy) {
                printer.printRecord(cells(row));
            }
        });
    }

    /**
     * Reads a results CSV; columns are matched by name, extra columns are ignored, and the {@code #} lines that
     * files of earlier versions began with are skipped.
     *
     * @throws ResultsException naming the file (and line) on a missing file, empty file, missing column, bad number or
     *         invalid row
     */
    public static List<ResultRow> read(Path file) {
        List<ResultRow> rows = new ArrayList<>();
        CsvFiles.read(file, Column.class, cells -> rows.add(row(cells)));
        return List.copyOf(rows);
    }

    /**
     * The {@code #} lines above the header of a results or items CSV written by an earlier version (which kept the
     * tool version, the command and a shard's identity there); empty for the files written now.
     */
    public static List<String> legacyComments(Path file) {
        return CsvFiles.legacyComments(file);
    }

    private static List<String> cells(ResultRow r) {
        return List.of(r.model(), Integer.toString(r.tp()), r.comm(), r.commPath(), r.task(), r.metric(),
                CsvCells.format(r.value()), CsvCells.formatOrEmpty(r.stderr()), Long.toString(r.n()),
                CsvCells.format(r.baseline()), CsvCells.format(r.delta()), CsvCells.format(r.relDelta()),
                CsvCells.format(r.pValue()), r.test(),
                Long.toString(r.bytesPerForward()), CsvCells.format(r.wallSeconds()), r.protocol(),
                Integer.toString(r.taskVersion()), r.settings(), r.toolVersion());
    }

    private static ResultRow row(CsvCells c) {
        return new ResultRow(
                c.text(Column.MODEL), c.integer(Column.TP), c.text(Column.COMM), c.text(Column.COMM_PATH),
                c.text(Column.TASK), c.text(Column.METRIC),
                c.finite(Column.VALUE), c.finiteOrNaN(Column.STDERR), c.longInteger(Column.N),
                c.optionalFinite(Column.BASELINE), c.optionalFinite(Column.DELTA), c.optionalFinite(Column.REL_DELTA),
                c.optionalFinite(Column.P_VALUE), c.text(Column.TEST),
                c.longInteger(Column.BYTES_PER_FORWARD), c.finite(Column.WALL_SECONDS), c.text(Column.PROTOCOL),
                c.integer(Column.TASK_VERSION), c.text(Column.SETTINGS), c.text(Column.TOOL_VERSION));
    }
}
