package dev.flashcomm.eval.cli;

import dev.flashcomm.eval.InputException;
import dev.flashcomm.results.Gate;
import dev.flashcomm.results.GateReport;
import dev.flashcomm.results.GateThresholds;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code flashcomm gate}: the CI check that no format costs more accuracy than allowed. */
@Command(name = "gate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Checks every cell of a results file against its reference: the baseline format of the same "
                + "model, TP and task, or the same cell in --baseline FILE (e.g. the last release's results).",
                "Exit 0 when all cells are within bounds, 1 when any is not (each is printed), 2 on bad input, "
                + "including a gate that could check no cell at all."})
public final class GateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--results", required = true, paramLabel = "FILE", description = "results CSV to check")
    Path results;

    @Option(names = "--max-ppl-increase", required = true, paramLabel = "PCT%",
            description = "largest allowed relative perplexity increase, with a percent sign, e.g. 0.5%%")
    String maxPplIncrease;

    @Option(names = "--max-acc-drop", required = true, paramLabel = "POINTS",
            description = "largest allowed accuracy drop in percentage points, e.g. 1.0 (61.2%% -> 60.2%%)")
    String maxAccDrop;

    @Option(names = "--baseline", paramLabel = "FILE",
            description = "reference results; default: the baseline-format rows of --results")
    Path baseline;

    @Option(names = "--baseline-comm", defaultValue = "fp16", paramLabel = "COMM",
            description = "COMM of the reference rows (default: ${DEFAULT-VALUE})")
    String baselineComm;

    @Override
    public Integer call() {
        GateThresholds thresholds;
        try {
            thresholds = GateThresholds.parse(maxPplIncrease, maxAccDrop);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        GateReport report = new Gate(thresholds).check(results, baseline, baselineComm);
        if (report.checked() == 0) {
            // a gate that compared nothing would pass every CI run, however the results look
            throw new InputException(results + ": no comparable cells (no accuracy or perplexity row with a "
                    + (baseline == null ? baselineComm + " baseline" : "counterpart in " + baseline) + ")");
        }
        PrintWriter out = spec.commandLine().getOut();
        report.notGated().forEach(line -> out.println("not gated   " + line));
        report.violations().forEach(line -> out.println("VIOLATION   " + line));
        String bounds = String.format(Locale.ROOT, "perplexity +%s, accuracy -%s pt", maxPplIncrease.strip(),
                maxAccDrop.strip().replaceAll("\\s*pt$", ""));
        if (report.passed()) {
            out.printf(Locale.ROOT, "gate passed: %d cells within bounds (%s)%n", report.checked(), bounds);
        } else {
            out.printf(Locale.ROOT, "gate FAILED: %d of %d cells out of bounds (%s)%n", report.violations().size(),
                    report.checked(), bounds);
        }
        out.flush();
        return report.passed() ? ExitCodes.OK : ExitCodes.GATE_FAILED;
    }
}
