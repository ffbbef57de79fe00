package dev.flashcomm.results;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/** The per-layer communication error table ({@code --diagnostics}): written atomically, read back by the report. */
public final class CommErrorsCsv {

    /** Columns of the diagnostics table, in file order. */
    public enum ErrorColumn { MODEL, TP, COMM, COMM_PATH, DATA, LAYER, SITE, FORMAT, ELEMENTS, REL_L2, MAX_ABS, OVERFLOWS, EXPERT_LOAD, ROUTING_CHANGED }

    private CommErrorsCsv() {
    }

    public static void write(Path target, List<CommErrorRow> rows) {
        List<CommErrorRow> copy = List.copyOf(rows);
        CsvFiles.writeAtomically(target, CsvFiles.writeFormat(ErrorColumn.class), printer -> {
            for (CommErrorRow r : copy) {
                printer.printRecord(r.model(), r.tp(), r.comm(), r.commPath(), r.data(), r.layer(), r.site(),
                        r.format(), r.elements(), CsvCells.format(r.relativeL2()), CsvCells.format(r.maxAbs()),
                        r.overflows(), r.expertLoad(),
                        Double.isNaN(r.routingChanged()) ? "" : CsvCells.format(r.routingChanged()));
            }
        });
    }

    /**
     * Reads a diagnostics table back (earlier versions' {@code #} lines are skipped).
     *
     * @throws ResultsException naming the file and line of a missing column, bad number or invalid row
     */
    public static List<CommErrorRow> read(Path file) {
        List<CommErrorRow> rows = new ArrayList<>();
        // EXPERT_LOAD and ROUTING_CHANGED came with mixture-of-experts models: older tables load without them
        CsvFiles.read(file, ErrorColumn.class, EnumSet.of(ErrorColumn.EXPERT_LOAD, ErrorColumn.ROUTING_CHANGED),
                c -> rows.add(new CommErrorRow(c.text(ErrorColumn.MODEL),
                c.integer(ErrorColumn.TP), c.text(ErrorColumn.COMM), c.text(ErrorColumn.COMM_PATH),
                c.text(ErrorColumn.DATA), c.integer(ErrorColumn.LAYER), c.text(ErrorColumn.SITE),
                c.text(ErrorColumn.FORMAT), c.longInteger(ErrorColumn.ELEMENTS), c.number(ErrorColumn.REL_L2),
                c.number(ErrorColumn.MAX_ABS), c.longInteger(ErrorColumn.OVERFLOWS), c.text(ErrorColumn.EXPERT_LOAD),
                c.finiteOrNaN(ErrorColumn.ROUTING_CHANGED))));
        return List.copyOf(rows);
    }
}
