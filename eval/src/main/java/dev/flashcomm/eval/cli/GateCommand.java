package dev.flashcomm.eval.cli;

import dev.flashcomm.eval.InputException;
import dev.flashcomm.results.Gate;
import dev.flashcomm.results.GateReport;
import dev.flashcomm.results.GateThresholds;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code flashcomm gate}: the CI check that no format costs more accuracy than allowed. */
@Command(name = "gate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Checks every cell of a results file against its reference: the baseline format of the same "
                + "model, TP and task, or the same cell in --baseline FILE (e.g. the last release's results). Prints "
                + "per metric row its value, baseline, delta, the bound judged, the limit and the verdict.",
                "Give at least one of --max-ppl-increase, --max-acc-drop, --min-recovery; several apply together.",
                "Exit 0 when all cells are within bounds, 1 when any is not, 2 on bad input, "
                + "including a gate that could check no cell at all."})
public final class GateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--results", required = true, paramLabel = "FILE", description = "results CSV to check")
    Path results;

    @Option(names = "--max-ppl-increase", paramLabel = "PCT%",
            description = "largest allowed relative perplexity increase, with a percent sign, e.g. 0.5%%")
    String maxPplIncrease;

    @Option(names = "--max-acc-drop", paramLabel = "POINTS",
            description = "largest allowed accuracy drop in percentage points, e.g. 1.0 (61.2%% -> 60.2%%)")
    String maxAccDrop;

    @Option(names = "--min-recovery", paramLabel = "R",
            description = "least recovery, e.g. 0.99 or 99%%: quantized / baseline for accuracies, baseline / "
                    + "quantized for perplexity (so higher is better for both)")
    String minRecovery;

    @Option(names = "--confidence", paramLabel = "C",
            description = "judge each row by its one-sided C bound on the pessimistic side instead of its value: "
                    + "the Wilson lower bound of an accuracy, value + z*stderr of a perplexity, e.g. 0.95")
    String confidence;

    @Option(names = "--require-significance", paramLabel = "P",
            description = "fail an out-of-bounds row only when its paired test against the baseline (P_VALUE) is "
                    + "below P, e.g. 0.05; rows without a test still fail")
    String requireSignificance;

    @Option(names = "--baseline", paramLabel = "FILE",
            description = "reference results; default: the baseline-format rows of --results")
    Path baseline;

    @Option(names = "--baseline-comm", defaultValue = "fp16", paramLabel = "COMM",
            description = "COMM of the reference rows; short names as --comm takes them, e.g. int8 "
                    + "(default: ${DEFAULT-VALUE})")
    String baselineComm;

    @Override
    public Integer call() {
        GateThresholds thresholds;
        try {
            thresholds = GateThresholds.parse(maxPplIncrease, maxAccDrop, minRecovery, confidence,
                    requireSignificance);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        String reference = Converters.commLabel(baselineComm);
        GateReport report = new Gate(thresholds).check(results, baseline, reference);
        if (report.checked() == 0) {
            // a gate that compared nothing would pass every CI run, however the results look
            throw new InputException(results + ": no comparable cells (no row with a bound given for its metric and a "
                    + (baseline == null ? reference + " baseline" : "counterpart in " + baseline) + ")");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(report.render(thresholds.describe(), baseline == null ? reference : baseline.toString()));
        out.flush();
        return report.passed() ? ExitCodes.OK : ExitCodes.GATE_FAILED;
    }
}
