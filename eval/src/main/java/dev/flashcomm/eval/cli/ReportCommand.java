package dev.flashcomm.eval.cli;

import dev.flashcomm.eval.InputException;
import dev.flashcomm.eval.sweep.SweepOutputs;
import dev.flashcomm.results.report.Report;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code flashcomm report}: a page with charts a person can read, from a sweep's output directory. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes DIR/report.html and its PNG charts in DIR/report/ from DIR/results.csv (and the "
                + "provenance in DIR/results.json): per task the change against the baseline over bits per element "
                + "with stderr error bars and TP degrees as series, bytes per forward against the change, a layer x "
                + "site heatmap of communication error per diagnostics table, and the summary table.",
                "The page is self-contained: open it from disk, nothing is fetched."})
public final class ReportCommand implements Callable<Integer> {

    /** The diagnostics table the report picks up by itself when it lies in DIR. */
    static final String DIAGNOSTICS = "diagnostics.csv";

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR",
            description = "a sweep's --out directory; the report is written there")
    Path dir;

    @Option(names = "--results", paramLabel = "FILE", description = "results to report (default: DIR/results.csv)")
    Path results;

    @Option(names = "--diagnostics", paramLabel = "FILE",
            description = "per-layer error table from 'ppl --diagnostics'; repeatable (default: DIR/diagnostics.csv "
                    + "when it exists)")
    List<Path> diagnostics = new ArrayList<>();

    @Option(names = "--baseline-comm", defaultValue = "fp16", paramLabel = "COMM",
            description = "COMM the results were compared with (default: ${DEFAULT-VALUE})")
    String baselineComm;

    @Override
    public Integer call() {
        Report.Written written = write(dir, results, diagnostics, Converters.commLabel(baselineComm));
        PrintWriter out = spec.commandLine().getOut();
        out.println("wrote       " + written.html() + " (" + written.pngs().size() + " charts in "
                + dir.resolve(Report.FIGURES) + ")");
        out.flush();
        return ExitCodes.OK;
    }

    /** The report of {@code dir}; shared with {@code demo}, which ends by writing one. */
    static Report.Written write(Path dir, Path resultsOrNull, List<Path> diagnostics, String baselineComm) {
        if (!Files.isDirectory(dir)) {
            throw new InputException("--dir " + dir + ": not a directory");
        }
        List<Path> tables = new ArrayList<>(diagnostics);
        Path own = dir.resolve(DIAGNOSTICS);
        if (tables.isEmpty() && Files.isRegularFile(own)) {
            tables.add(own);
        }
        Path results = resultsOrNull != null ? resultsOrNull : dir.resolve(SweepOutputs.RESULTS);
        return Report.write(dir, results, tables, baselineComm);
    }
}
