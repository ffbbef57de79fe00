package dev.flashcomm.eval.cli;

import ai.djl.ndarray.types.DataType;
import dev.flashcomm.datasets.TaskRegistry;
import dev.flashcomm.datasets.TaskSpec;
import dev.flashcomm.eval.InputException;
import dev.flashcomm.eval.ppl.CorpusSource;
import dev.flashcomm.eval.sweep.Shard;
import dev.flashcomm.eval.sweep.SweepConfig;
import dev.flashcomm.eval.sweep.TaskSource;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.results.report.Report;
import dev.flashcomm.quant.allreduce.CommPath;
import dev.flashcomm.tp.comm.CompressionScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code flashcomm demo}: a small sweep of the bundled model on the bundled text and tasks, in a few minutes. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "A small sweep on bundled content: the tiny Llama-3-style model at TP 2 under fp16, int8, "
                + "int6, int4 and int2 communication, perplexity on demo/stories.txt and the demo tasks. Writes "
                + "results.csv, items.csv, results.json and report.html, and prints the summary table; rerunning "
                + "resumes from the cache.")
public final class DemoCommand implements Callable<Integer> {

    static final String MODEL = "models/llama3-tiny";
    static final String STORIES = "demo/stories.txt";
    static final String TASKS = "demo/tasks";
    static final List<String> COMMS = List.of("fp16", "int8", "int6", "int4", "int2");
    static final int SEQ_LEN = 256;
    static final int BATCH = 8;

    @Spec
    CommandSpec spec;

    @Option(names = "--out", defaultValue = "out/demo", paramLabel = "DIR",
            description = "output directory (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--tp", defaultValue = "2", paramLabel = "N",
            description = "tensor-parallel degree, 2 to 8 (default: ${DEFAULT-VALUE})")
    int tp;

    @Override
    public Integer call() {
        if (tp < 2 || tp > 8) {
            // at TP 1 there is no all-reduce: every format would give the same numbers, 45 identical cells
            throw new ParameterException(spec.commandLine(), "--tp must be 2 to 8 for the demo (the bundled model "
                    + "has 8 attention heads, and TP 1 has no all-reduce to compress), got " + tp);
        }
        SweepConfig config = config(home(), out, tp);
        new SweepRun(spec.commandLine()).run(config);
        DemoDiagnostics.write(config, SEQ_LEN).ifPresent(f -> spec.commandLine().getOut().println("wrote       " + f));
        Report.Written report = ReportCommand.write(out, null, List.of(), config.baselineLabel().orElseThrow());
        spec.commandLine().getOut().println("wrote       " + report.html() + " (open it in a browser)");
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }

    /** Where the bundled content is: the launcher passes {@code -Dflashcomm.home}; else the current directory. */
    static Path home() {
        String home = System.getProperty("flashcomm.home");
        return Path.of(home == null || home.isBlank() ? "." : home);
    }

    static SweepConfig config(Path home, Path out, int tp) {
        Path model = home.resolve(MODEL);
        if (!Files.isDirectory(model)) {
            throw new InputException(model + ": bundled model not found; run the flashcomm launcher, or run from "
                    + "the flashcomm directory");
        }
        Path taskRoot = home.resolve(TASKS);
        List<TaskSource> tasks = new ArrayList<>();
        for (TaskSpec spec : TaskRegistry.all()) {
            if (Files.isRegularFile(spec.fileUnder(taskRoot))) {
                tasks.add(new TaskSource(spec, spec.fileUnder(taskRoot)));
            }
        }
        List<CorpusSource> corpora = List.of(CorpusSource.of(home.resolve(STORIES), false, "stories"));
        List<CommFormat> comms = COMMS.stream().map(CommFormat::parse).toList();
        try {
            return new SweepConfig(List.of(model), List.of(tp), comms, CommFormat.FP16, CommPath.FAKE,
                    CompressionScope.ALL, tasks, corpora, OptionalInt.of(SEQ_LEN), BATCH, 0, 0, "cpu",
                    DataType.FLOAT32, Shard.ALL, out);
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
    }
}
