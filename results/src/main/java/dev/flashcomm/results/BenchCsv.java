package dev.flashcomm.results;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code bench --out}: the benchmark's numbers as a tidy CSV (header first, one measured number a row). */
public final class BenchCsv {

    /** Columns of the bench table, in file order. */
    public enum BenchColumn { SECTION, MEASURE, COMM, PATH, TP, VALUE, UNIT, DEVICE, TOOL_VERSION }

    private BenchCsv() {
    }

    /** @throws ResultsException naming the file when it cannot be written */
    public static void write(Path target, List<BenchRow> rows, String toolVersion) {
        List<BenchRow> copy = List.copyOf(rows);
        CsvFiles.writeAtomically(target, CsvFiles.writeFormat(BenchColumn.class), printer -> {
            for (BenchRow r : copy) {
                printer.printRecord(r.section(), r.measure(), r.comm(), r.path(), Integer.toString(r.tp()),
                        CsvCells.format(r.value()), r.unit(), r.device(), toolVersion);
            }
        });
    }

    /** @throws ResultsException naming the file and line of a malformed table */
    public static List<BenchRow> read(Path file) {
        List<BenchRow> rows = new ArrayList<>();
        CsvFiles.read(file, BenchColumn.class, c -> rows.add(new BenchRow(c.text(BenchColumn.SECTION),
                c.text(BenchColumn.MEASURE), c.text(BenchColumn.COMM), c.text(BenchColumn.PATH),
                c.integer(BenchColumn.TP), c.number(BenchColumn.VALUE), c.text(BenchColumn.UNIT),
                c.text(BenchColumn.DEVICE))));
        return List.copyOf(rows);
    }
}
