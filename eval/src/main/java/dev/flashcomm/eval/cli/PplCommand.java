package dev.flashcomm.eval.cli;

import dev.flashcomm.eval.InputException;
import dev.flashcomm.eval.ToolVersion;
import dev.flashcomm.eval.lm.BatchSizer;
import dev.flashcomm.eval.lm.ScoringModel;
import dev.flashcomm.eval.ppl.CorpusSource;
import dev.flashcomm.eval.ppl.PerplexityProtocol;
import dev.flashcomm.eval.ppl.PerplexityResult;
import dev.flashcomm.eval.ppl.PerplexityRun;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.allreduce.CommPath;
import dev.flashcomm.results.BaselineComparison;
import dev.flashcomm.results.CellKey;
import dev.flashcomm.results.CommErrorRow;
import dev.flashcomm.results.CommErrorsCsv;
import dev.flashcomm.results.ItemScore;
import dev.flashcomm.results.ItemsCsv;
import dev.flashcomm.results.OutputFiles;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.results.ResultsCsv;
import dev.flashcomm.tp.checkpoint.ModelConfig;
import dev.flashcomm.tp.comm.CommSettings;
import dev.flashcomm.tp.comm.SiteErrors;
import dev.flashcomm.tp.comm.TrafficMeter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code flashcomm ppl}: GPTQ-protocol perplexity of one corpus under one communication format. */
@Command(name = "ppl", mixinStandardHelpOptions = true,
        description = "GPTQ-protocol perplexity (text tokenized once, non-overlapping windows, first token of each "
                + "window unscored) under a tensor-parallel communication format.")
public final class PplCommand implements Callable<Integer> {

    static final int DEFAULT_SEQ_LEN = 2048;

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Mixin
    CommOptions commOptions;

    @Option(names = "--data", required = true, paramLabel = "FILE",
            description = "text file; WikiText-2 .raw files get the Hugging Face rows rule")
    Path data;

    @Option(names = "--wikitext", negatable = true, paramLabel = "BOOL",
            description = "force (or with --no-wikitext, prevent) the WikiText rows rule; default: on for *.raw files")
    Boolean wikitext;

    @Option(names = "--name", paramLabel = "NAME", description = "label of the corpus in results (default: file stem)")
    String name;

    @Option(names = "--seq-len", paramLabel = "N",
            description = "window length in tokens (default: 2048, or max_position_embeddings if smaller)")
    Integer seqLen;

    @Option(names = "--batch", defaultValue = "4", converter = Converters.Batch.class, paramLabel = "N|auto",
            description = "windows per forward pass; auto: the most that fit the device's free memory, found once "
                    + "the model is loaded (default: ${DEFAULT-VALUE})")
    BatchSize batchOption;

    /** The batch in use: the fixed one, or what auto chose. */
    private int batch;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N",
            description = "score only the first N windows (0 = all; default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--tp", defaultValue = "1", paramLabel = "N",
            description = "tensor-parallel degree, 1 to num_attention_heads (default: ${DEFAULT-VALUE})")
    int tp;

    @Option(names = "--comm", defaultValue = "fp16", converter = Converters.Format.class, paramLabel = "FORMAT",
            description = "exact, fp16, bf16, or int8|int6|int4|int3|int2[-asym|-sym][-gN] (default: ${DEFAULT-VALUE})")
    CommFormat comm;

    @Option(names = "--baseline", converter = Converters.Format.class, paramLabel = "FORMAT",
            description = "also run this format (usually fp16) at the same TP and report the change against it")
    CommFormat baseline;

    @Option(names = "--out", paramLabel = "FILE", description = "write result rows to this CSV (atomically)")
    Path out;

    @Option(names = "--items", paramLabel = "FILE", description = "write per-window NLLs to this CSV")
    Path items;

    @Option(names = "--diagnostics", paramLabel = "FILE",
            description = "write per layer and site the error communication introduced (relative L2, max abs)")
    Path diagnostics;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // checked before the model loads: a clash found after the run would lose the run
        Map<String, Path> files = new LinkedHashMap<>(outputs());
        files.put("--data", data); // an output over the corpus would destroy the input
        OutputFiles.requireDistinct(files);
        outputs().values().stream().filter(java.util.Objects::nonNull).forEach(OutputFiles::checkReplaceable);
        CorpusSource corpus = CorpusSource.of(data, wikitext, name);
        CommSettings settings = new CommSettings(comm, commOptions.path(), commOptions.scope());
        String text = corpus.text(); // a bad --data path fails before the model is loaded
        try (ScoringModel lm = model.load(tp, out, err)) {
            ModelConfig cfg = lm.model().config();
            int len = resolveSeqLen(cfg, err);
            int[] ids = new PerplexityProtocol(len, 1).firstWindows(lm.tokenizer().encode(text), limit,
                    data.toString());
            batch = batchOption.auto() ? autoBatch(lm, settings, ids, len, err) : batchOption.fixed();
            PerplexityProtocol protocol = new PerplexityProtocol(len, batch);
            int windows = protocol.windows(ids, data.toString());
            out.printf(Locale.ROOT, "model       %s (%s, %d layers, hidden %d, TP %d on %s, compute %s)%n",
                    lm.name(), cfg.architecture(), cfg.numLayers(), cfg.hiddenSize(), tp, model.device,
                    model.computeType);
            out.printf(Locale.ROOT, "data        %s: %d tokens, %d windows of %d%s%n", data, ids.length, windows,
                    len, corpus.wikitext() ? " (WikiText rows rule)" : "");
            out.printf(Locale.ROOT, "protocol    %s (not comparable with lm-eval rolling word perplexity)%n",
                    protocol.describe());
            if (tp == 1 && comm.kind() != CommFormat.Kind.EXACT) {
                err.println("flashcomm: note: --tp 1 has no all-reduce, so --comm " + comm.name() + " changes nothing");
            }
            out.flush();
            boolean interactive = System.console() != null;
            List<PerplexityRun> runs = new ArrayList<>();
            if (baseline != null && !baseline.equals(comm)) {
                // the ring ablation only exists for flash formats; a fp16 baseline is the same on every path
                CommPath basePath = baseline.kind() == CommFormat.Kind.FLASH ? commOptions.path() : CommPath.FAKE;
                CommSettings base = new CommSettings(baseline, basePath, commOptions.scope());
                runs.add(PerplexityRun.measure(protocol, lm, base, ids, data.toString(),
                        new ProgressBar(err, "ppl " + baseline.name(), "windows", interactive), false));
            }
            runs.add(PerplexityRun.measure(protocol, lm, settings, ids, data.toString(),
                    new ProgressBar(err, "ppl " + settings.label(), "windows", interactive), diagnostics != null));
            PerplexityRun main = runs.get(runs.size() - 1);
            report(out, main, runs.size() > 1 ? runs.get(0) : null);
            writeOutputs(lm.name(), corpus, protocol, runs);
        }
        return ExitCodes.OK;
    }

    private Map<String, Path> outputs() {
        Map<String, Path> m = new LinkedHashMap<>();
        m.put("--out", out);
        m.put("--items", items);
        m.put("--diagnostics", diagnostics);
        return m;
    }

    /** Resolves {@code --batch auto} for windows of {@code len} tokens and says what it chose and why. */
    private static int autoBatch(ScoringModel lm, CommSettings settings, int[] ids, int len, PrintWriter err) {
        int windows = ids.length / len;
        BatchSizer.Choice c = BatchSizer.choose(lm, Arrays.copyOf(ids, len), windows,
                lm.openCommunicator(settings, new TrafficMeter(), null), line -> {
                    err.println("flashcomm: " + line);
                    err.flush();
                });
        err.println("flashcomm: --batch auto: " + c.batch() + " window(s) of " + len + " per forward pass (" + c.how()
                + ")");
        err.flush();
        return c.batch();
    }

    private int resolveSeqLen(ModelConfig cfg, PrintWriter err) {
        int max = cfg.maxPositions();
        if (seqLen == null) {
            if (DEFAULT_SEQ_LEN > max) {
                err.println("flashcomm: note: --seq-len defaults to " + max + ", the model's max_position_embeddings");
                return max;
            }
            return DEFAULT_SEQ_LEN;
        }
        if (seqLen > max) {
            throw new InputException("--seq-len " + seqLen + " exceeds max_position_embeddings " + max + " of "
                    + model.dir.resolve("config.json"));
        }
        if (cfg.slidingWindow() > 0 && seqLen > cfg.slidingWindow()) {
            throw new InputException("--seq-len " + seqLen + " exceeds the sliding_window " + cfg.slidingWindow()
                    + " of " + model.dir.resolve("config.json") + " (sliding-window attention is not implemented)");
        }
        if (seqLen < 2) {
            throw new InputException("--seq-len must be at least 2");
        }
        return seqLen;
    }

    private void report(PrintWriter out, PerplexityRun main, PerplexityRun base) {
        PerplexityResult r = main.result();
        out.printf(Locale.ROOT, "comm        %s (%s path)%n", main.settings().label(),
                main.settings().path().name().toLowerCase(Locale.ROOT));
        out.printf(Locale.ROOT, "perplexity  %.4f ± %.4f  (mean NLL %.6f over %d scored tokens)%n", r.perplexity(),
                r.perplexityStderr(), r.meanNll(), r.scoredTokens());
        if (base != null) {
            double b = base.result().perplexity();
            out.printf(Locale.ROOT, "baseline    %s: %.4f   change %+.4f (%+.3f %%)%n", base.settings().label(), b,
                    r.perplexity() - b, 100 * (r.perplexity() / b - 1));
        }
        if (tp > 1) {
            out.printf(Locale.ROOT, "traffic     %,d bytes per rank per forward of one window (fp16 ring: %,d; "
                    + "ratio %.3f)%n", main.bytesPerForward(), main.fp16RingBytesPerForward(),
                    main.traffic().ratioToFp16Ring());
        }
        out.printf(Locale.ROOT, "speed       %.0f tokens/s (%.1f s)%n", r.tokensPerSecond(), r.seconds());
        out.flush();
    }

    private void writeOutputs(String modelName, CorpusSource corpus, PerplexityProtocol protocol,
                              List<PerplexityRun> runs) {
        List<ResultRow> rows = new ArrayList<>();
        Map<CellKey, List<ItemScore>> perItem = new LinkedHashMap<>();
        for (PerplexityRun run : runs) {
            PerplexityResult r = run.result();
            String settingsText = "seq_len=" + protocol.seqLen() + ";batch=" + batch + ";dtype="
                    + model.computeType.name().toLowerCase(Locale.ROOT) + ";device=" + model.device + ";scope="
                    + run.settings().scope().describe();
            ResultRow row = ResultRow.measured(modelName, tp, run.settings().label(),
                    run.settings().path().name().toLowerCase(Locale.ROOT), corpus.task(), "perplexity",
                    r.perplexity(), r.perplexityStderr(), r.scoredTokens(), run.bytesPerForward(), r.seconds(),
                    protocol.describe(), 1, settingsText, ToolVersion.VERSION);
            rows.add(row);
            double[] nll = r.windowNll();
            List<ItemScore> scores = new ArrayList<>(nll.length);
            for (int w = 0; w < nll.length; w++) {
                scores.add(new ItemScore(w, nll[w], protocol.seqLen() - 1L));
            }
            perItem.put(row.cell(), scores);
        }
        if (runs.size() > 1) {
            rows = BaselineComparison.compare(rows, perItem, runs.get(0).settings().label());
        }
        List<String> comments = List.of("flashcomm " + ToolVersion.VERSION, "model " + model.dir.toAbsolutePath(),
                "data " + data.toAbsolutePath());
        if (out != null) {
            ResultsCsv.write(out, rows, comments);
            spec.commandLine().getOut().println("wrote       " + out);
        }
        if (items != null) {
            ItemsCsv.write(items, perItem, comments);
            spec.commandLine().getOut().println("wrote       " + items);
        }
        if (diagnostics != null) {
            PerplexityRun main = runs.get(runs.size() - 1);
            List<CommErrorRow> errs = new ArrayList<>();
            for (SiteErrors.Row e : main.errors()) {
                errs.add(new CommErrorRow(modelName, tp, main.settings().label(),
                        main.settings().path().name().toLowerCase(Locale.ROOT), corpus.name(), e.layer(),
                        e.site().id(), e.format(), e.elements(), e.relativeL2(), e.maxAbs()));
            }
            CommErrorsCsv.write(diagnostics, errs, comments);
            spec.commandLine().getOut().println("wrote       " + diagnostics);
        }
        spec.commandLine().getOut().flush();
    }
}
