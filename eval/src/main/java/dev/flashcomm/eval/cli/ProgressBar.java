package dev.flashcomm.eval.cli;

import dev.flashcomm.eval.Progress;
import java.io.PrintWriter;

/**
 * A progress bar with rate and ETA on stderr. On a terminal it redraws one line at most every 200 ms; in a log
 * (CI, redirected output) it prints a line at every 10 %, so logs stay readable.
 */
final class ProgressBar implements Progress {

    private final PrintWriter err;
    private final String label;
    private final String unit;
    private final boolean interactive;
    private final long start = System.nanoTime();
    private long lastDraw;
    private long lastDecile = -1;

    ProgressBar(PrintWriter err, String label, String unit, boolean interactive) {
        this.err = err;
        this.label = label;
        this.unit = unit;
        this.interactive = interactive;
    }

    @Override
    public void update(long done, long total) {
        long now = System.nanoTime();
        double elapsed = (now - start) / 1e9;
        boolean finished = done >= total;
        if (interactive) {
            if (!finished && now - lastDraw < 200_000_000L) {
                return;
            }
            lastDraw = now;
            err.print("\r" + line(done, total, elapsed) + (finished ? "\n" : ""));
            err.flush();
        } else {
            long decile = total == 0 ? 10 : done * 10 / total;
            if (decile != lastDecile) {
                lastDecile = decile;
                err.println(line(done, total, elapsed));
                err.flush();
            }
        }
    }

    private String line(long done, long total, double elapsed) {
        int width = 24;
        int filled = total == 0 ? width : (int) (width * done / total);
        double rate = elapsed > 0 ? done / elapsed : 0;
        String eta = rate > 0 && done < total ? duration((total - done) / rate) : "--:--";
        return String.format("%s [%s%s] %3d%% %d/%d %s  %.1f %s/s  elapsed %s  ETA %s", label, "#".repeat(filled),
                " ".repeat(width - filled), total == 0 ? 100 : done * 100 / total, done, total, unit, rate, unit,
                duration(elapsed), eta);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format("%d:%02d", s / 60, s % 60);
    }
}
