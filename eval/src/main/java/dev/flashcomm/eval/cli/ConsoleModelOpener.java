package dev.flashcomm.eval.cli;

import dev.flashcomm.eval.lm.ModelLoader;
import dev.flashcomm.eval.lm.ScoringModel;
import dev.flashcomm.eval.sweep.ModelOpener;
import dev.flashcomm.eval.sweep.PreparedModel;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Loads a planned model the way the commands show it: a progress bar (in MiB of weights) on stderr when it is a
 * terminal, and the load time on stdout; stderr stays free for the one-line errors bad input gets.
 */
final class ConsoleModelOpener implements ModelOpener {

    private final RunOptions run;
    private final PrintWriter out;
    private final PrintWriter err;

    ConsoleModelOpener(RunOptions run, PrintWriter out, PrintWriter err) {
        this.run = run;
        this.out = out;
        this.err = err;
    }

    @Override
    public ScoringModel open(PreparedModel model, int tp) {
        boolean interactive = System.console() != null;
        ProgressBar bar = new ProgressBar(err, "load " + model.name(), "MiB", true);
        long start = System.nanoTime();
        ScoringModel lm = ModelLoader.load(model.checkpoint(), tp, run.moeParallel, run.devices(), run.computeType,
                run.commImpl, interactive
                ? (name, done, total) -> bar.update(done >> 20, total >> 20) : (name, done, total) -> { });
        out.printf(Locale.ROOT, "load        %s at TP %d on %s (%s): %.1f s%n", lm.name(), tp, run.device,
                run.dtypeName(), (System.nanoTime() - start) / 1e9);
        out.flush();
        return lm;
    }
}
