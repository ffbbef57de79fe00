package dev.flashcomm.eval.cli;

import dev.flashcomm.results.ResultRow;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** What {@code ppl} prints about its rows: the measured format's perplexity, its change and its traffic. */
final class PplReport {

    private final PrintWriter out;

    PplReport(PrintWriter out) {
        this.out = out;
    }

    /**
     * @param rows   the compared rows of a one-corpus run: the measured format, and its baseline when there is one
     * @param seqLen the window the rows were measured with
     */
    void print(List<ResultRow> rows, Optional<String> baseline, int seqLen) {
        ResultRow main = rows.stream().filter(r -> baseline.isEmpty() || !r.isBaseline(baseline.get())).findFirst()
                .orElse(rows.get(0));
        Optional<ResultRow> base = baseline.flatMap(b -> rows.stream().filter(r -> r.isBaseline(b)).findFirst());
        out.printf(Locale.ROOT, "comm        %s (%s path)%n", main.comm(), main.commPath());
        long windows = main.n() / (seqLen - 1);
        out.printf(Locale.ROOT, "perplexity  %.4f ± %.4f  (mean NLL %.6f over %d scored tokens)%n", main.value(),
                main.stderr(), Math.log(main.value()), main.n());
        if (base.isPresent() && base.get() != main) {
            double b = base.get().value();
            out.printf(Locale.ROOT, "baseline    %s: %.4f   change %+.4f (%+.3f %%)%s%n", base.get().comm(), b,
                    main.value() - b, 100 * (main.value() / b - 1), main.pValue().isPresent()
                            ? String.format(Locale.ROOT, ", p = %.3g (%s)", main.pValue().getAsDouble(), main.test())
                            : "");
        }
        if (main.tp() > 1) {
            out.printf(Locale.ROOT, "traffic     %,d bytes per rank per forward of one window%s%n",
                    main.bytesPerForward(), base.isPresent() && base.get() != main
                            && base.get().bytesPerForward() > 0
                            ? String.format(Locale.ROOT, " (%s: %,d; ratio %.3f)", base.get().comm(),
                            base.get().bytesPerForward(),
                            main.bytesPerForward() / (double) base.get().bytesPerForward()) : "");
        }
        out.printf(Locale.ROOT, "speed       %.0f tokens/s (%.1f s)%n",
                main.wallSeconds() > 0 ? windows * (double) seqLen / main.wallSeconds() : Double.NaN,
                main.wallSeconds());
        out.flush();
    }
}
