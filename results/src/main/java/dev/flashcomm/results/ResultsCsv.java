package dev.flashcomm.results;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;

/**
 * The tidy results CSV: one row per model × tp × comm × task × metric (columns: {@link Column}), preceded by
 * {@code #} comment lines. Absent optional numbers and a NaN standard error are empty cells.
 */
public final class ResultsCsv {

    private static final CSVFormat FORMAT = CsvFiles.writeFormat(Column.class);

    private ResultsCsv() {
    }

    /**
     * Writes {@code rows} atomically (temporary file in the same directory, then an atomic move).
     *
     * @param headerComments lines written as {@code # ...} before the header, e.g. the tool version and command
     * @throws ResultsException when the file cannot be written
     */
    public static void write(Path target, List<ResultRow> rows, List<String> headerComments) {
        List<ResultRow> copy = List.copyOf(rows);
        CsvFiles.writeAtomically(target, FORMAT, headerComments, printer -> {
            for (ResultRow row : copy) {
                printer.printRecord(cells(row));
            }
        });
    }

    /**
     * Reads a results CSV; columns are matched by name, extra columns are ignored.
     *
     * @throws ResultsException naming the file (and line) on a missing file, empty file, missing column, bad number or
     *         invalid row
     */
    public static List<ResultRow> read(Path file) {
        List<ResultRow> rows = new ArrayList<>();
        CsvFiles.read(file, Column.class, cells -> rows.add(row(cells)));
        return List.copyOf(rows);
    }

    /** The {@code #} lines before the header of any CSV this module writes (results, items), marker removed. */
    public static List<String> headerComments(Path file) {
        return CsvFiles.headerComments(file);
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
                c.number(Column.VALUE), c.numberOrNaN(Column.STDERR), c.longInteger(Column.N),
                c.optionalNumber(Column.BASELINE), c.optionalNumber(Column.DELTA), c.optionalNumber(Column.REL_DELTA),
                c.optionalNumber(Column.P_VALUE), c.text(Column.TEST),
                c.longInteger(Column.BYTES_PER_FORWARD), c.number(Column.WALL_SECONDS), c.text(Column.PROTOCOL),
                c.integer(Column.TASK_VERSION), c.text(Column.SETTINGS), c.text(Column.TOOL_VERSION));
    }
}
