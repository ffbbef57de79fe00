package dev.flashcomm.eval.cli;

import ai.djl.Device;
import dev.flashcomm.eval.InputException;
import dev.flashcomm.eval.Progress;
import dev.flashcomm.eval.ToolVersion;
import dev.flashcomm.eval.bench.BestOfTimer;
import dev.flashcomm.eval.bench.DecodeRow;
import dev.flashcomm.eval.bench.GenerationTimer;
import dev.flashcomm.eval.bench.MatmulRate;
import dev.flashcomm.eval.bench.ModelFlops;
import dev.flashcomm.eval.bench.PeakMemory;
import dev.flashcomm.eval.lm.GenerationRequest;
import dev.flashcomm.eval.lm.Generator;
import dev.flashcomm.eval.lm.ScoringModel;
import dev.flashcomm.eval.ppl.CorpusSource;
import dev.flashcomm.eval.ppl.PerplexityProtocol;
import dev.flashcomm.eval.ppl.PerplexityRun;
import dev.flashcomm.eval.sweep.Limit;
import dev.flashcomm.eval.sweep.PreparedModel;
import dev.flashcomm.eval.sweep.Shard;
import dev.flashcomm.eval.sweep.SweepConfig;
import dev.flashcomm.eval.sweep.SweepPlan;
import dev.flashcomm.eval.sweep.SweepPlanner;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.allreduce.AllReduceBenchmark;
import dev.flashcomm.quant.allreduce.BenchResult;
import dev.flashcomm.quant.allreduce.CommPath;
import dev.flashcomm.results.BenchCsv;
import dev.flashcomm.results.BenchRow;
import dev.flashcomm.tp.Engines;
import dev.flashcomm.tp.comm.CommImpl;
import dev.flashcomm.tp.comm.CommSettings;
import dev.flashcomm.tp.comm.Communicator;
import dev.flashcomm.tp.comm.CompressionScope;
import dev.flashcomm.tp.comm.EngineAllReduceBenchmark;
import dev.flashcomm.tp.comm.TrafficMeter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code flashcomm bench}: the speed numbers, measured on this machine. Speed targets live here, never in tests.
 * Sections: the engine's fp32 matmul rate; a perplexity run's tokens/s, model FLOP/s and their ratio (model FLOP
 * utilization) plus peak memory; communicator throughput per format; and the cost of a quantized TP run against an
 * exact one.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measures matmul rate, perplexity throughput and MFU, communicator throughput and the cost of "
                + "quantized communication in a TP run.")
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Mixin
    RunOptions run;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "text for the perplexity runs")
    Path data;

    @Option(names = "--limit", defaultValue = "0", converter = Converters.LimitValue.class, paramLabel = "N|F",
            description = "windows per perplexity run, or a fraction F < 1 of them (0 = all; default: "
                    + "${DEFAULT-VALUE})")
    Limit limit;

    @Option(names = "--sections", defaultValue = "matmul,ppl,comm,tp,decode", split = ",", paramLabel = "S[,S...]",
            description = "matmul, ppl, comm, tp, decode (default: ${DEFAULT-VALUE})")
    List<String> sections;

    @Option(names = "--comm-tp", defaultValue = "4", paramLabel = "N",
            description = "TP degree of the communication benchmarks (default: ${DEFAULT-VALUE})")
    int commTp;

    @Option(names = "--comm-shape", defaultValue = "2048x4096", paramLabel = "TxH",
            description = "partial shape of the communicator benchmark (default: ${DEFAULT-VALUE})")
    String commShape;

    @Option(names = "--tp-format", defaultValue = "int4", converter = Converters.Format.class, paramLabel = "FORMAT",
            description = "format of the TP cost comparison against exact (default: ${DEFAULT-VALUE})")
    CommFormat tpFormat;

    @Option(names = "--decode-batches", defaultValue = "1,16", split = ",", paramLabel = "B[,B...]",
            description = "prompts decoded together in the decode section (default: ${DEFAULT-VALUE})")
    List<Integer> decodeBatches;

    @Option(names = "--decode-prompt", defaultValue = "128", paramLabel = "N",
            description = "prompt tokens per row in the decode section, cut from --data (default: ${DEFAULT-VALUE})")
    int decodePrompt;

    @Option(names = "--decode-tokens", defaultValue = "128", paramLabel = "N",
            description = "new tokens per row in the decode section (default: ${DEFAULT-VALUE})")
    int decodeTokens;

    @Option(names = "--out", paramLabel = "FILE",
            description = "also write every number as a CSV table (SECTION, MEASURE, COMM, PATH, TP, VALUE, UNIT, "
                    + "DEVICE, TOOL_VERSION), atomically")
    Path csv;

    /** Every number printed, for {@code --out}. */
    private final List<BenchRow> table = new ArrayList<>();

    /** Times the decode section's generations: best of three on the system clock, or seconds a test gives. */
    private final GenerationTimer decodeTimer;

    public BenchCommand() {
        this(BestOfTimer.bestOfThree());
    }

    /**
     * With the decode section's timings taken from {@code decodeTimer}: the generations still run, but which rows
     * are timed or skipped follows from the given seconds, not from how busy the machine is.
     */
    BenchCommand(GenerationTimer decodeTimer) {
        this.decodeTimer = decodeTimer;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Set<String> known = Set.of("matmul", "ppl", "comm", "tp", "decode");
        for (String s : sections) {
            if (!known.contains(s)) {
                throw new InputException("--sections: unknown section '" + s + "' (use " + known + ")");
            }
        }
        if (run.batch.auto()) {
            throw new ParameterException(spec.commandLine(), "--batch auto: bench times a fixed batch; give a number");
        }
        // before anything is timed, as the model and windows are checked below
        CommShape shape = sections.contains("comm") ? CommShape.parse(commShape) : null;
        Device device = run.devices().get(0);
        boolean needsModel = sections.contains("ppl") || sections.contains("tp") || sections.contains("decode");
        // the sweep's planner checks the model, the TP degrees and the window length and cuts the windows, as for
        // ppl, before anything is timed: bad input fails in seconds
        PreparedModel prepared = needsModel ? plan().models().get(0) : null;
        int seqLen = needsModel ? prepared.seqLen() : 0;
        double matmul = Double.NaN;
        if (sections.contains("matmul") || sections.contains("ppl")) {
            // a GPU needs a product large enough to fill it; the CPU figure stays comparable with earlier runs
            int m = device.isGpu() ? 8192 : 2048;
            int k = device.isGpu() ? 8192 : 1024;
            matmul = MatmulRate.gflops(device, run.computeType, m, k, k, 10);
            out.printf(Locale.ROOT, "matmul      %s [%dx%d]x[%dx%d] on %s: %.1f GFLOP/s (best of 10)%n",
                    run.dtypeName(), m, k, k, k, device, matmul);
            record("matmul", "matmul_rate_" + run.dtypeName(), "", "", 0, matmul, "GFLOP/s", device);
            out.flush();
        }
        if (sections.contains("ppl")) {
            try (ScoringModel lm = load(out, prepared, 1)) {
                out.printf(Locale.ROOT, "attention   %s%n", lm.model().attentionKernel());
                PerplexityRun ppl = runPpl(lm, prepared, CommSettings.of("exact"));
                double tps = ppl.result().tokensPerSecond();
                double flops = tps * ModelFlops.perToken(lm.model().config(), seqLen);
                out.printf(Locale.ROOT, "ppl         %s on %s, seq-len %d, batch %d: ppl %.4f, %d windows in %.1f s%n",
                        lm.name(), data.getFileName(), seqLen, run.batch.fixed(), ppl.result().perplexity(),
                        ppl.result().windows(), ppl.result().seconds());
                out.printf(Locale.ROOT, "throughput  TP-1 exact: %.0f tokens/s, %.1f model GFLOP/s (%.2f MFLOP/token), "
                        + "MFU %.1f %% of the measured matmul rate%n", tps, flops / 1e9,
                        ModelFlops.perToken(lm.model().config(), seqLen) / 1e6, 100 * flops / 1e9 / matmul);
                record("ppl", "perplexity", "exact", "", 1, ppl.result().perplexity(), "", device);
                record("ppl", "tokens_per_second", "exact", "", 1, tps, "tokens/s", device);
                record("ppl", "model_flops", "exact", "", 1, flops / 1e9, "GFLOP/s", device);
                record("ppl", "mfu", "exact", "", 1, 100 * flops / 1e9 / matmul, "%", device);
                printMemory(out, device);
            }
        }
        if (sections.contains("comm")) {
            benchCommunicators(out, shape);
        }
        if (sections.contains("tp")) {
            try (ScoringModel lm = load(out, prepared, commTp)) {
                PerplexityRun exact = runPpl(lm, prepared, CommSettings.of("exact"));
                out.printf(Locale.ROOT, "tp          TP-%d exact: %.1f s (%.0f tokens/s), ppl %.4f%n", commTp,
                        exact.result().seconds(), exact.result().tokensPerSecond(), exact.result().perplexity());
                recordRun("exact", "fake", exact, exact, device);
                PerplexityRun fp16 = runPpl(lm, prepared, CommSettings.of("fp16"));
                out.printf(Locale.ROOT, "tp          TP-%d fp16: %.1f s (%.0f tokens/s), %.2fx the exact run, ppl %.4f%n",
                        commTp, fp16.result().seconds(), fp16.result().tokensPerSecond(),
                        fp16.result().seconds() / exact.result().seconds(), fp16.result().perplexity());
                recordRun("fp16", "fake", fp16, exact, device);
                PerplexityRun fake = null;
                for (CommPath path : List.of(CommPath.FAKE, CommPath.PACKED)) {
                    PerplexityRun q = runPpl(lm, prepared, new CommSettings(tpFormat, path, CompressionScope.ALL));
                    out.printf(Locale.ROOT, "tp          TP-%d %s %s: %.1f s (%.0f tokens/s), %.2fx the exact run%s, "
                            + "ppl %.4f%n", commTp, tpFormat.name(), path.name().toLowerCase(Locale.ROOT),
                            q.result().seconds(), q.result().tokensPerSecond(),
                            q.result().seconds() / exact.result().seconds(),
                            fake == null ? "" : String.format(Locale.ROOT, ", %.2fx the fake path",
                                    q.result().seconds() / fake.result().seconds()), q.result().perplexity());
                    out.flush();
                    recordRun(tpFormat.name(), path.name().toLowerCase(Locale.ROOT), q, exact, device);
                    fake = fake == null ? q : fake;
                }
                printMemory(out, device);
            }
        }
        if (sections.contains("decode")) {
            benchDecode(out, prepared, device);
        }
        if (csv != null) {
            BenchCsv.write(csv, table, ToolVersion.VERSION);
            out.println("wrote       " + csv);
            out.flush();
        }
        return ExitCodes.OK;
    }

    private void record(String section, String measure, String comm, String path, int tp, double value, String unit,
                        Object device) {
        table.add(new BenchRow(section, measure, comm, path, tp, value, unit, String.valueOf(device)));
    }

    /** A TP run's time, throughput, ratio to the exact run and perplexity. */
    private void recordRun(String comm, String path, PerplexityRun run, PerplexityRun exact, Device device) {
        record("tp", "seconds", comm, path, commTp, run.result().seconds(), "s", device);
        record("tp", "tokens_per_second", comm, path, commTp, run.result().tokensPerSecond(), "tokens/s", device);
        record("tp", "time_vs_exact", comm, path, commTp, run.result().seconds() / exact.result().seconds(), "x",
                device);
        record("tp", "perplexity", comm, path, commTp, run.result().perplexity(), "", device);
    }

    /**
     * The planned model: the sweep's planner reads the config, checks every TP degree bench uses and the window
     * length (sliding window included), and tokenizes and cuts the corpus to whole windows within {@code --limit}.
     */
    private SweepPlan plan() {
        List<Integer> tps = sections.contains("tp") || sections.contains("decode") ? List.of(1, commTp) : List.of(1);
        SweepConfig config;
        try {
            config = new SweepConfig(List.of(model.dir), tps, List.of(CommFormat.parse("exact")), Optional.empty(),
                    CommPath.FAKE, CompressionScope.ALL, List.of(), List.of(CorpusSource.of(data, null, null)),
                    run.seqLen(), run.batch, Limit.ALL, limit, run.device, run.computeType, run.commImpl,
                    SweepConfig.DEFAULT_SEED, Shard.ALL, Path.of("."));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        return SweepPlanner.plan(config);
    }

    /** Loads the model at {@code tp}, printing how long that took. */
    private ScoringModel load(PrintWriter out, PreparedModel prepared, int tp) {
        return new ConsoleModelOpener(run, out, spec.commandLine().getErr()).open(prepared, tp);
    }

    /**
     * Peak resident memory of this process and, on a GPU, the device memory in use as the driver reports it after
     * the runs (the engine's caching allocator keeps what it reserved at the peak, so this is the peak reserved).
     */
    private void printMemory(PrintWriter out, Device device) {
        out.printf(Locale.ROOT, "memory      peak resident %.0f MiB (JVM heap max %.0f MiB)%n",
                PeakMemory.peakResidentBytes() / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0);
        record("memory", "peak_resident", "", "", 0, PeakMemory.peakResidentBytes() / 1048576.0, "MiB", "host");
        long used = Engines.usedBytes(device);
        if (used >= 0) {
            out.printf(Locale.ROOT, "memory      %s: %.2f GiB in use (peak reserved by the engine, model included)%n",
                    device, used / (1024.0 * 1024 * 1024));
            record("memory", "device_in_use", "", "", 0, used / (1024.0 * 1024 * 1024), "GiB", device);
        }
        out.flush();
    }


    private PerplexityRun runPpl(ScoringModel lm, PreparedModel prepared, CommSettings settings) {
        int seqLen = prepared.seqLen();
        int batch = run.batch.fixed();
        PerplexityProtocol protocol = new PerplexityProtocol(seqLen, batch);
        int[] ids = prepared.ids(prepared.corpusIds().keySet().iterator().next());
        // one untimed batch first, so one-off engine start-up does not count against the run
        protocol.evaluate(lm, lm.openCommunicator(settings, new TrafficMeter(), null),
                Arrays.copyOf(ids, Math.min(ids.length, batch * seqLen)), data.toString(), Progress.NONE);
        return PerplexityRun.measure(protocol, lm, settings, ids, data.toString(),
                new ProgressBar(spec.commandLine().getErr(), "bench " + settings.label(), "windows",
                        System.console() != null), false);
    }

    /**
     * Greedy decoding speed at TP 1 (exact) and at {@code --comm-tp} (exact and {@code --tp-format}), per batch
     * size: the prefill alone (one new token) and the whole generation are timed, and the decode rate is the tokens
     * after the first over the time after the prefill, so prompt length does not blur it.
     */
    private void benchDecode(PrintWriter out, PreparedModel prepared, Device device) {
        if (decodePrompt < 1 || decodeTokens < 2 || decodeBatches.stream().anyMatch(b -> b < 1)) {
            throw new InputException("--decode-prompt must be >= 1, --decode-tokens >= 2 and --decode-batches >= 1");
        }
        int[] ids = prepared.ids(prepared.corpusIds().keySet().iterator().next());
        int rows = decodeBatches.stream().mapToInt(Integer::intValue).max().orElseThrow();
        if ((long) rows * decodePrompt > ids.length) {
            throw new InputException(data + ": " + ids.length + " tokens, fewer than the decode section's "
                    + rows + " prompts of " + decodePrompt + " tokens (lower --decode-prompt or --decode-batches)");
        }
        for (int tp : commTp == 1 ? List.of(1) : List.of(1, commTp)) {
            try (ScoringModel lm = load(out, prepared, tp)) {
                List<CommSettings> settings = tp == 1 ? List.of(CommSettings.of("exact"))
                        : List.of(CommSettings.of("exact"), new CommSettings(tpFormat, CommPath.FAKE,
                                CompressionScope.ALL));
                for (CommSettings s : settings) {
                    for (int batch : decodeBatches) {
                        List<int[]> prompts = new ArrayList<>();
                        for (int b = 0; b < batch; b++) {
                            prompts.add(Arrays.copyOfRange(ids, b * decodePrompt, (b + 1) * decodePrompt));
                        }
                        Generator generator = new Generator(lm, batch);
                        Communicator comm = lm.openCommunicator(s, new TrafficMeter(), null);
                        generator.generate(prompts.stream().map(p -> GenerationRequest.of(p, 2)).toList(), comm,
                                Progress.NONE); // engine start-up and kernel selection
                        double prefill = timeGeneration(generator, prompts, 1, comm);
                        double whole = timeGeneration(generator, prompts, decodeTokens, comm);
                        DecodeRow decoded = DecodeRow.of(batch, decodeTokens, prefill, whole);
                        out.printf(Locale.ROOT, "decode      TP-%d %s batch %d: ", tp, s.label(), batch);
                        if (decoded instanceof DecodeRow.Skipped skipped) {
                            out.println(skipped.reason());
                            out.flush();
                            continue;
                        }
                        DecodeRow.Timed t = (DecodeRow.Timed) decoded;
                        out.printf(Locale.ROOT, "%.0f new tokens/s (%.2f ms per step), prefill of %d tokens %.1f ms, "
                                + "%d new tokens per row in %.2f s%n", t.tokensPerSecond(), t.msPerStep(),
                                decodePrompt, t.prefillMs(), decodeTokens, t.wholeSeconds());
                        out.flush();
                        String comm16 = s.format().name();
                        String b = "batch " + batch;
                        record("decode", "tokens_per_second", comm16, b, tp, t.tokensPerSecond(), "tokens/s", device);
                        record("decode", "ms_per_step", comm16, b, tp, t.msPerStep(), "ms", device);
                        record("decode", "prefill_ms", comm16, b, tp, t.prefillMs(), "ms", device);
                    }
                }
                printMemory(out, device);
            }
        }
    }

    /** The decode timer's seconds for a generation of {@code tokens} new tokens per prompt. */
    private double timeGeneration(Generator generator, List<int[]> prompts, int tokens, Communicator comm) {
        List<GenerationRequest> requests = prompts.stream().map(p -> GenerationRequest.of(p, tokens)).toList();
        return decodeTimer.seconds(tokens, () -> generator.generate(requests, comm, Progress.NONE));
    }

    private void benchCommunicators(PrintWriter out, CommShape shape) {
        int rows = shape.rows();
        int cols = shape.cols();
        List<CommFormat> formats = new ArrayList<>();
        for (String f : List.of("exact", "fp16", "bf16", "int8", "int6", "int4", "int3", "int2")) {
            formats.add(CommFormat.parse(f));
        }
        out.printf(Locale.ROOT, "comm        %d ranks x [%d x %d] fp32 partials; GB/s of fp32 partials in%n", commTp,
                rows, cols);
        Device device = run.devices().get(0);
        for (CommPath path : List.of(CommPath.FAKE, CommPath.PACKED)) {
            for (CommFormat f : formats) {
                EngineAllReduceBenchmark.Result r = EngineAllReduceBenchmark.run(
                        new CommSettings(f, path, CompressionScope.ALL), CommImpl.ENGINE, device, commTp, rows, cols, 10);
                out.printf(Locale.ROOT, "comm        %-16s %-6s %7.2f GB/s  %8.3f ms/call  engine on %s%n", f.name(),
                        path.name().toLowerCase(Locale.ROOT), r.gbPerSecond(), r.msPerAllReduce(), device);
                String p = path.name().toLowerCase(Locale.ROOT) + "/engine";
                record("comm", "throughput", f.name(), p, commTp, r.gbPerSecond(), "GB/s", device);
                record("comm", "ms_per_all_reduce", f.name(), p, commTp, r.msPerAllReduce(), "ms", device);
                out.flush();
            }
        }
        if (run.commImpl == CommImpl.ENGINE && device.isGpu()) {
            return; // the Java reference on the host says nothing about a GPU run
        }
        for (CommPath path : List.of(CommPath.FAKE, CommPath.PACKED)) {
            for (BenchResult r : AllReduceBenchmark.run(formats, path, rows, cols, commTp, 5)) {
                out.printf(Locale.ROOT, "comm        %-16s %-6s %7.2f GB/s  %8.2f ms/call  host; %,d bytes sent per rank%n",
                        r.format().name(), path.name().toLowerCase(Locale.ROOT), r.gigabytesPerSecond(),
                        r.secondsPerCall() * 1e3, r.maxBytesSentPerRank());
                String p = path.name().toLowerCase(Locale.ROOT) + "/host";
                record("comm", "throughput", r.format().name(), p, commTp, r.gigabytesPerSecond(), "GB/s", "host");
                record("comm", "ms_per_all_reduce", r.format().name(), p, commTp, r.secondsPerCall() * 1e3, "ms",
                        "host");
                record("comm", "bytes_sent_per_rank", r.format().name(), p, commTp, r.maxBytesSentPerRank(), "B",
                        "host");
                out.flush();
            }
        }
    }
}
