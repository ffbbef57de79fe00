package dev.flashcomm.eval.cli;

import dev.flashcomm.eval.ppl.CorpusSource;
import dev.flashcomm.eval.sweep.CellCache;
import dev.flashcomm.eval.sweep.Limit;
import dev.flashcomm.eval.sweep.PreparedModel;
import dev.flashcomm.eval.sweep.RunFiles;
import dev.flashcomm.eval.sweep.RunProvenance;
import dev.flashcomm.eval.sweep.Shard;
import dev.flashcomm.eval.sweep.Sweep;
import dev.flashcomm.eval.sweep.SweepConfig;
import dev.flashcomm.eval.sweep.SweepOutcome;
import dev.flashcomm.eval.sweep.SweepOutputs;
import dev.flashcomm.eval.sweep.SweepPlan;
import dev.flashcomm.eval.sweep.SweepPlanner;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.results.CommErrorRow;
import dev.flashcomm.results.CommErrorsCsv;
import dev.flashcomm.results.ItemsCsv;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.results.ResultsCsv;
import dev.flashcomm.results.ResultsJson;
import dev.flashcomm.tp.checkpoint.ModelConfig;
import dev.flashcomm.tp.comm.CommChoice;
import dev.flashcomm.tp.comm.CommSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code flashcomm ppl}: GPTQ-protocol perplexity of one corpus under one communication format. It is a sweep of
 * one cell (two with {@code --baseline}), planned, measured and labelled by the sweep's own classes, so its rows are
 * the rows {@code sweep} writes for the same experiment; it only keeps no cache.
 */
@Command(name = "ppl", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"GPTQ-protocol perplexity (text tokenized once, non-overlapping windows, first token of each "
                + "window unscored) under a tensor-parallel communication format.",
                "The same cell as 'flashcomm sweep --ppl' gives: 'ppl --baseline fp16 --out r.csv' writes the rows a "
                + "sweep of that one format writes, so gate and merge take either file."})
public final class PplCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--data", required = true, paramLabel = "FILE",
            description = "text file; WikiText-2 .raw files get the Hugging Face rows rule")
    Path data;

    @Option(names = "--wikitext", negatable = true, paramLabel = "BOOL",
            description = "force (or with --no-wikitext, prevent) the WikiText rows rule; default: on for *.raw files")
    Boolean wikitext;

    @Option(names = "--name", paramLabel = "NAME", description = "label of the corpus in results (default: file stem)")
    String name;

    @Option(names = "--tp", defaultValue = "2", paramLabel = "N",
            description = "tensor-parallel degree, 1 to num_attention_heads; the default is 2 because at TP 1 there "
                    + "is no all-reduce and every format gives the same perplexity (default: ${DEFAULT-VALUE})")
    int tp;

    @Option(names = "--comm", defaultValue = "fp16", converter = Converters.Choice.class, paramLabel = "FORMAT|PRESET",
            description = "exact, fp16, bf16, int8|int6|int4|int3|int2[-asym|-sym][-gN][-spike], "
                    + "fp8-e4m3|fp8-e5m2|fp4-e2m1[-gN][-sfp16|-sfp32|-se8m0][-spike], or a preset such as "
                    + "quickreduce-int4 ('flashcomm presets' lists them) (default: ${DEFAULT-VALUE})")
    CommChoice comm;

    @Option(names = "--baseline", converter = Converters.Format.class, paramLabel = "FORMAT",
            description = "also run this format (usually fp16) at the same TP and compare with it, as sweep does")
    CommFormat baseline;

    @Mixin
    CommOptions commOptions;

    @Mixin
    RunOptions run;

    @Option(names = "--limit", defaultValue = "0", converter = Converters.LimitValue.class, paramLabel = "N|F",
            description = "score only the first N windows, or a fraction F < 1 of them, as lm-eval's --limit "
                    + "(0 = all; sweep calls this --max-windows; default: ${DEFAULT-VALUE})")
    Limit limit;

    @Mixin
    SeedOption seed;

    @Option(names = "--out", paramLabel = "FILE",
            description = "write result rows to this CSV and results in lm-eval's JSON shape with provenance beside it "
                    + "(ppl.csv: ppl.json), atomically")
    Path out;

    @Option(names = "--items", paramLabel = "FILE", description = "write per-window NLLs to this CSV")
    Path items;

    @Option(names = "--diagnostics", paramLabel = "FILE",
            description = "write per layer and site the error communication introduced (relative L2, max abs)")
    Path diagnostics;

    @Override
    public Integer call() {
        Instant started = Instant.now();
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // checked before the model loads: a clash found after the run would lose the run
        Map<String, Path> outputs = new LinkedHashMap<>();
        outputs.put("--out", out);
        outputs.put("results.json", out == null ? null : ResultsJson.besideCsv(out));
        outputs.put("--items", items);
        outputs.put("--diagnostics", diagnostics);
        RunFiles.requireApart(outputs, Map.of("--data", data));
        SweepPlan plan = SweepPlanner.plan(config());
        plan.notes().forEach(n -> err.println("flashcomm: note: " + MessageLine.of(n)));
        err.flush();
        PreparedModel prepared = plan.models().get(0);
        CorpusSource corpus = plan.config().corpora().get(0);
        ModelConfig cfg = prepared.config();
        stdout.printf(Locale.ROOT, "model       %s (%s, %d layers, hidden %d, TP %d on %s, compute %s)%n",
                prepared.name(), cfg.family(), cfg.numLayers(), cfg.hiddenSize(), tp, run.device,
                run.dtypeName());
        stdout.printf(Locale.ROOT, "data        %s: %d windows of %d%s%n", data, prepared.windows(corpus.name()),
                prepared.seqLen(), corpus.wikitext() ? " (WikiText rows rule)" : "");
        stdout.printf(Locale.ROOT, "protocol    gptq-ppl seq_len=%d (not comparable with lm-eval rolling word "
                + "perplexity)%n", prepared.seqLen());
        stdout.flush();
        SweepOutcome outcome = new Sweep(plan, CellCache.none(), new ConsoleModelOpener(run, stdout, err),
                new SweepConsole(err, System.console() != null, null), diagnostics != null).run();
        List<ResultRow> rows = SweepOutputs.compared(
                new SweepOutputs.Measurements(outcome.rows(), outcome.items()), plan.config().baselineLabel(),
                seed.seed);
        new PplReport(stdout).print(rows, plan.config().baselineLabel(), prepared.seqLen());
        List<CommSettings> settings = plan.config().commSettings();
        CommSettings measured = settings.get(settings.size() - 1);
        stdout.printf(Locale.ROOT, "settings    %s%n", measured.describe());
        if (diagnostics != null && measured.cast().convertsToFp16()) {
            long overflows = outcome.commErrors().stream().filter(e -> e.comm().equals(measured.label()))
                    .mapToLong(CommErrorRow::overflows).sum();
            stdout.printf(Locale.ROOT, "overflows   %,d element(s) above 65504 at the %s cast (per layer and site in "
                    + "%s)%n", overflows, measured.cast().label(), diagnostics);
        }
        if (out != null) {
            ResultsCsv.write(out, rows);
            // the provenance a sweep writes, beside --out: ppl.csv gets ppl.json
            ResultsJson.write(ResultsJson.besideCsv(out), rows, outcome.items(),
                    plan.config().baselineLabel().orElse(""),
                    RunProvenance.of(plan, SweepRun.commandLine(spec.commandLine()), started));
            stdout.println("wrote       " + out);
            stdout.println("wrote       " + ResultsJson.besideCsv(out));
        }
        if (items != null) {
            ItemsCsv.write(items, outcome.items());
            stdout.println("wrote       " + items);
        }
        if (diagnostics != null) {
            CommErrorsCsv.write(diagnostics, outcome.commErrors());
            stdout.println("wrote       " + diagnostics);
        }
        stdout.flush();
        return ExitCodes.OK;
    }

    /** The one-cell sweep: this corpus, this format and, with {@code --baseline}, the baseline first. */
    private SweepConfig config() {
        CorpusSource corpus;
        try {
            corpus = CorpusSource.of(data, wikitext, name);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--name: " + e.getMessage());
        }
        // the cache is off (CellCache.none), so the directory is only where a sweep would have put its files
        Path outDir = out != null && out.toAbsolutePath().getParent() != null ? out.toAbsolutePath().getParent()
                : Path.of(".");
        try {
            return new SweepConfig(List.of(model.dir), List.of(tp), List.of(comm), Optional.ofNullable(baseline),
                    commOptions.path(), commOptions.scope(), commOptions.accumulation(), commOptions.cast(),
                    commOptions.threshold(), List.of(), List.of(corpus), run.seqLen(), run.batch,
                    Limit.ALL, limit, run.device, run.computeType, run.commImpl, seed.seed, Shard.ALL, outDir).withExperts(commOptions.experts(run));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
