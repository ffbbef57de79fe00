package dev.flashcomm.eval.cli;

import dev.flashcomm.eval.ToolVersion;
import dev.flashcomm.eval.sweep.SweepOutputs;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.results.SummaryTable;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code flashcomm merge}: joins the parts of a sharded sweep and compares them with the baseline. */
@Command(name = "merge", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Joins results.part-I-of-N.csv and items.part-I-of-N.csv of a sweep run with --shard (all N "
                + "parts must be there), compares every cell with its baseline and writes results.csv and items.csv.")
public final class MergeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR",
            description = "the --out directory the shards wrote their parts to")
    Path dir;

    @Option(names = "--out", paramLabel = "FILE", description = "merged results (default: DIR/results.csv)")
    Path out;

    @Option(names = "--items-out", paramLabel = "FILE", description = "merged per-item scores (default: DIR/items.csv)")
    Path itemsOut;

    @Option(names = "--baseline-comm", defaultValue = "fp16", paramLabel = "COMM",
            description = "COMM of the rows the others are compared with (default: ${DEFAULT-VALUE})")
    String baselineComm;

    @Mixin
    SeedOption seed;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        SweepOutputs.Measurements merged = SweepOutputs.mergeParts(dir);
        Path results = out != null ? out : dir.resolve(SweepOutputs.RESULTS);
        Path items = itemsOut != null ? itemsOut : dir.resolve(SweepOutputs.ITEMS);
        List<String> comments = List.of("flashcomm " + ToolVersion.VERSION, "command: flashcomm "
                + String.join(" ", spec.commandLine().getParseResult().originalArgs()), "date "
                + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        List<ResultRow> compared = SweepOutputs.writeCompared(results, items, merged, baselineComm, seed.seed,
                comments);
        stdout.print(SummaryTable.render(compared, baselineComm));
        stdout.println();
        stdout.println("wrote       " + results);
        stdout.println("wrote       " + items);
        stdout.flush();
        return ExitCodes.OK;
    }
}
