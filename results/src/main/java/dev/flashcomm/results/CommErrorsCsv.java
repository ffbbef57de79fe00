package dev.flashcomm.results;

import java.nio.file.Path;
import java.util.List;

/** Writes the per-layer communication error table atomically. */
public final class CommErrorsCsv {

    /** Columns of the diagnostics table, in file order. */
    public enum ErrorColumn { MODEL, TP, COMM, COMM_PATH, DATA, LAYER, SITE, FORMAT, ELEMENTS, REL_L2, MAX_ABS, OVERFLOWS }

    private CommErrorsCsv() {
    }

    public static void write(Path target, List<CommErrorRow> rows, List<String> headerComments) {
        CsvFiles.writeAtomically(target, CsvFiles.writeFormat(ErrorColumn.class), headerComments, printer -> {
            for (CommErrorRow r : rows) {
                printer.printRecord(r.model(), r.tp(), r.comm(), r.commPath(), r.data(), r.layer(), r.site(),
                        r.format(), r.elements(), r.relativeL2(), r.maxAbs(), r.overflows());
            }
        });
    }
}
