package dev.flashcomm.eval.cli;

import dev.flashcomm.eval.Progress;
import dev.flashcomm.eval.sweep.Cell;
import dev.flashcomm.eval.sweep.CellListener;
import dev.flashcomm.eval.sweep.CellResult;
import dev.flashcomm.eval.sweep.CorpusWorkload;
import dev.flashcomm.eval.sweep.GenerationWorkload;
import dev.flashcomm.eval.sweep.SweepEta;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Shows a sweep on stderr: a progress bar per cell, then a line for the whole sweep with its ETA. */
final class SweepConsole implements CellListener {

    private final PrintWriter err;
    private final boolean interactive;
    private final Path cacheDir;
    private final long start = System.nanoTime();
    private SweepEta eta;
    private int total;
    private int resumed;
    private int measured;

    SweepConsole(PrintWriter err, boolean interactive, Path cacheDir) {
        this.err = err;
        this.interactive = interactive;
        this.cacheDir = cacheDir;
    }

    @Override
    public void planned(List<Cell> toMeasure, int resumedCells) {
        this.eta = new SweepEta(toMeasure);
        this.resumed = resumedCells;
        this.total = toMeasure.size() + resumedCells;
        if (resumedCells > 0) {
            err.printf(Locale.ROOT, "flashcomm: resuming: %d of %d cells already in %s%n", resumedCells, total,
                    cacheDir);
        }
        err.flush();
    }

    @Override
    public Progress started(Cell cell, int ordinal, int cells) {
        String unit = cell.workload() instanceof CorpusWorkload ? "windows"
                : cell.workload() instanceof GenerationWorkload ? "prompts" : "requests";
        return new ProgressBar(err, "[" + ordinal + "/" + cells + "] " + cell.label(), unit, interactive);
    }

    @Override
    public void finished(Cell cell, CellResult result, double seconds) {
        eta.finished(cell, seconds);
        measured++;
        int done = resumed + measured;
        int width = 24;
        int filled = total == 0 ? width : width * done / total;
        double left = eta.remainingSeconds();
        err.printf(Locale.ROOT, "sweep [%s%s] %d/%d cells (%d resumed)  elapsed %s  ETA %s%n", "#".repeat(filled),
                " ".repeat(width - filled), done, total, resumed,
                ProgressBar.duration((System.nanoTime() - start) / 1e9),
                Double.isNaN(left) ? "--:--" : ProgressBar.duration(left));
        err.flush();
    }

    @Override
    public void note(String message) {
        err.println("flashcomm: " + MessageLine.of(message));
        err.flush();
    }

    @Override
    public void warning(String message) {
        err.println("flashcomm: warning: " + MessageLine.of(message));
        err.flush();
    }
}
