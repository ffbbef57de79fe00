package dev.flashcomm.eval.sweep;

import ai.djl.ndarray.types.DataType;
import dev.flashcomm.eval.ppl.CorpusSource;
import dev.flashcomm.quant.Accumulation;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.allreduce.CommPath;
import dev.flashcomm.results.BaselineComparison;
import dev.flashcomm.tp.comm.CommCast;
import dev.flashcomm.tp.comm.CommChoice;
import dev.flashcomm.tp.comm.CommImpl;
import dev.flashcomm.tp.comm.CommSettings;
import dev.flashcomm.tp.comm.CompressThreshold;
import dev.flashcomm.tp.comm.CompressionScope;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Everything a sweep was asked to do, as given on the command line; {@link SweepPlanner} checks it against the files.
 * {@code ppl} is a sweep of one model, one TP degree, one corpus and one format (plus its baseline), so both
 * commands label and compare cells through this one class.
 *
 * @param models       model directories, in the order given
 * @param tps          tensor-parallel degrees
 * @param comms        communication formats and presets; the baseline is added when missing
 * @param baselineComm what every other format is compared with (normally fp16); runs everywhere, whatever the scope;
 *                     empty for a run without comparison ({@code ppl} without {@code --baseline})
 * @param commPath     how flash formats are carried out; other formats always use the fake path
 * @param scope        which all-reduces the formats apply to
 * @param accumulation the reduce step's sum dtype for every format and preset, or null for each one's own
 * @param cast         the activations' cast, or null for each one's own
 * @param threshold    the smallest compressed message, or null for each one's own
 * @param seqLen       perplexity window; empty for min(2048, max_position_embeddings) of each model
 * @param batch        sequences per forward pass, or auto
 * @param limit        first items of every task
 * @param maxWindows   first windows of every corpus
 * @param device       devices of the TP ranks, as {@code --device} takes them
 * @param commImpl     where the all-reduce numerics run
 * @param seed         seed of the paired bootstrap that tests perplexity differences
 * @param out          directory of results, per-item scores and the cell cache
 * @param agreements   generation-agreement tasks ({@code agreement:NAME}): prompts continued greedily under every
 *                     format and compared with the baseline's continuation; {@code --limit} keeps their first prompts
 * @param maxNewTokens tokens each agreement prompt is continued by ({@code --max-new-tokens})
 * @param experts      how a mixture-of-experts model's experts run and communicate (dense models ignore it)
 */
public record SweepConfig(List<Path> models, List<Integer> tps, List<CommChoice> comms,
                          Optional<CommFormat> baselineComm, CommPath commPath, CompressionScope scope,
                          Accumulation accumulation, CommCast cast, CompressThreshold threshold,
                          List<TaskSource> tasks, List<CorpusSource> corpora, OptionalInt seqLen, BatchSize batch,
                          Limit limit, Limit maxWindows, String device, DataType dtype, CommImpl commImpl, long seed,
                          Shard shard, Path out, List<PromptSource> agreements, int maxNewTokens,
                          ExpertOptions experts) {

    public static final int DEFAULT_SEQ_LEN = 2048;
    /** {@code --max-new-tokens} of agreement tasks: long enough for divergence to show, short enough to be cheap. */
    public static final int DEFAULT_MAX_NEW_TOKENS = 32;
    /** The seed the paired bootstrap of perplexity p-values draws from unless --seed says otherwise. */
    public static final long DEFAULT_SEED = BaselineComparison.DEFAULT_SEED;

    public SweepConfig {
        models = List.copyOf(models);
        tps = List.copyOf(tps).stream().distinct().toList();
        comms = List.copyOf(comms);
        tasks = List.copyOf(tasks);
        corpora = List.copyOf(corpora);
        agreements = List.copyOf(agreements);
        Objects.requireNonNull(baselineComm, "baselineComm");
        Objects.requireNonNull(commPath, "commPath");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(seqLen, "seqLen");
        Objects.requireNonNull(batch, "batch");
        Objects.requireNonNull(limit, "limit");
        Objects.requireNonNull(maxWindows, "maxWindows");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(commImpl, "commImpl");
        Objects.requireNonNull(shard, "shard");
        Objects.requireNonNull(out, "out");
        experts = experts == null ? ExpertOptions.DEFAULT : experts;
        if (models.isEmpty()) {
            throw new IllegalArgumentException("--model: give at least one model directory");
        }
        if (tps.isEmpty() || tps.stream().anyMatch(tp -> tp < 1)) {
            throw new IllegalArgumentException("--tp: give TP degrees of at least 1, got " + tps);
        }
        if (tasks.isEmpty() && corpora.isEmpty() && agreements.isEmpty()) {
            throw new IllegalArgumentException("nothing to measure: give --tasks and/or --ppl");
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("--max-new-tokens must be at least 1, got " + maxNewTokens);
        }
        if (comms.isEmpty() && baselineComm.isEmpty()) {
            throw new IllegalArgumentException("--comm: give at least one communication format");
        }
        if (!comms.isEmpty() && comms.stream().map(CommChoice::format).noneMatch(commPath::supports)) {
            // every format falls back to the fake path, so the ring the user asked for would never run
            commPath.requireSupports(comms.get(0).format());
        }
        if (seqLen.isPresent() && seqLen.getAsInt() < 2) {
            throw new IllegalArgumentException("--seq-len must be at least 2, got " + seqLen.getAsInt());
        }
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16) {
            throw new IllegalArgumentException("compute dtype must be fp32 or fp16, got " + dtype);
        }
        requireDistinct("task", tasks.stream().map(t -> t.spec().name()).toList());
        requireDistinct("perplexity corpus", corpora.stream().map(CorpusSource::name).toList());
        requireDistinct("agreement task", agreements.stream().map(PromptSource::name).toList());
    }

    /** A sweep whose mixture-of-experts models run tensor-parallel experts with bf16 expert legs. */
    public SweepConfig(List<Path> models, List<Integer> tps, List<CommChoice> comms,
                       Optional<CommFormat> baselineComm, CommPath commPath, CompressionScope scope,
                       Accumulation accumulation, CommCast cast, CompressThreshold threshold,
                       List<TaskSource> tasks, List<CorpusSource> corpora, OptionalInt seqLen, BatchSize batch,
                       Limit limit, Limit maxWindows, String device, DataType dtype, CommImpl commImpl, long seed,
                       Shard shard, Path out, List<PromptSource> agreements, int maxNewTokens) {
        this(models, tps, comms, baselineComm, commPath, scope, accumulation, cast, threshold, tasks, corpora, seqLen,
                batch, limit, maxWindows, device, dtype, commImpl, seed, shard, out, agreements, maxNewTokens,
                ExpertOptions.DEFAULT);
    }

    /** The same sweep with {@code --moe-parallel}, {@code --dispatch-comm} and {@code --combine-comm} set. */
    public SweepConfig withExperts(ExpertOptions e) {
        return new SweepConfig(models, tps, comms, baselineComm, commPath, scope, accumulation, cast, threshold, tasks,
                corpora, seqLen, batch, limit, maxWindows, device, dtype, commImpl, seed, shard, out, agreements,
                maxNewTokens, e);
    }

    /** A sweep without agreement tasks. */
    public SweepConfig(List<Path> models, List<Integer> tps, List<CommChoice> comms,
                       Optional<CommFormat> baselineComm, CommPath commPath, CompressionScope scope,
                       Accumulation accumulation, CommCast cast, CompressThreshold threshold,
                       List<TaskSource> tasks, List<CorpusSource> corpora, OptionalInt seqLen, BatchSize batch,
                       Limit limit, Limit maxWindows, String device, DataType dtype, CommImpl commImpl, long seed,
                       Shard shard, Path out) {
        this(models, tps, comms, baselineComm, commPath, scope, accumulation, cast, threshold, tasks, corpora, seqLen,
                batch, limit, maxWindows, device, dtype, commImpl, seed, shard, out, List.of(), DEFAULT_MAX_NEW_TOKENS);
    }

    /** Plain formats with each one's default accumulation, cast and size threshold. */
    public SweepConfig(List<Path> models, List<Integer> tps, List<CommFormat> comms, Optional<CommFormat> baselineComm,
                       CommPath commPath, CompressionScope scope, List<TaskSource> tasks, List<CorpusSource> corpora,
                       OptionalInt seqLen, BatchSize batch, Limit limit, Limit maxWindows, String device,
                       DataType dtype, CommImpl commImpl, long seed, Shard shard, Path out) {
        this(models, tps, comms.stream().map(CommChoice::of).toList(), baselineComm, commPath, scope, null, null, null,
                tasks, corpora, seqLen, batch, limit, maxWindows, device, dtype, commImpl, seed, shard, out);
    }

    /** The sweep of a command line with the defaults of the options it does not give (engine all-reduces, seed). */
    public SweepConfig(List<Path> models, List<Integer> tps, List<CommFormat> comms, CommFormat baselineComm,
                       CommPath commPath, CompressionScope scope, List<TaskSource> tasks, List<CorpusSource> corpora,
                       OptionalInt seqLen, int batch, int limit, int maxWindows, String device, DataType dtype,
                       Shard shard, Path out) {
        this(models, tps, comms, Optional.of(baselineComm), commPath, scope, tasks, corpora, seqLen,
                BatchSize.of(batch), count("--limit", limit), count("--max-windows", maxWindows), device, dtype,
                CommImpl.ENGINE, DEFAULT_SEED, shard, out);
    }

    private static Limit count(String option, int n) {
        if (n < 0) {
            throw new IllegalArgumentException(option + " must be >= 0 (0 = all), got " + n);
        }
        return Limit.count(n);
    }

    private static void requireDistinct(String what, List<String> names) {
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            if (!seen.add(n)) {
                throw new IllegalArgumentException(what + " '" + n + "' is given twice");
            }
        }
    }

    /**
     * The communication settings of the matrix, the baseline first, each distinct one once. The baseline runs its
     * format on every all-reduce, since it is the reference; fp16 is the format uncompressed all-reduces fall back
     * to, so it is the same under any scope and always runs everywhere too. This is the one place settings are
     * normalized, so {@code ppl} and {@code sweep} label the same cell alike.
     */
    public List<CommSettings> commSettings() {
        Map<String, CommSettings> byLabel = new LinkedHashMap<>();
        baselineSettings().ifPresent(base -> byLabel.put(base.label(), base));
        for (CommChoice c : comms) {
            CommSettings s = settingsFor(c);
            byLabel.putIfAbsent(s.label(), s);
        }
        return List.copyOf(byLabel.values());
    }

    public Optional<CommSettings> baselineSettings() {
        return baselineComm.map(b -> new CommSettings(b, commPath.effectiveFor(b), CompressionScope.ALL));
    }

    /** The COMM label baseline rows carry, which {@code BaselineComparison} looks for; empty without a baseline. */
    public Optional<String> baselineLabel() {
        return baselineSettings().map(CommSettings::label);
    }

    /** A format or preset with the sweep's explicit options (the baseline keeps the doc's defaults). */
    private CommSettings settingsFor(CommChoice choice) {
        CommFormat format = choice.format();
        CompressionScope s = format.equals(CommSettings.FP16) && choice.preset() == null ? CompressionScope.ALL : scope;
        return CommSettings.resolve(choice, commPath.effectiveFor(format), s, accumulation, cast, threshold,
                experts.dispatch(), experts.combine());
    }

    /** {@code fp32} or {@code fp16}, as results and cache keys spell it, and as {@code --dtype} takes it. */
    public String dtypeName() {
        return dtypeName(dtype);
    }

    /** The one spelling of a compute dtype in results, cache keys and messages. */
    public static String dtypeName(DataType dtype) {
        return dtype == DataType.FLOAT16 ? "fp16" : "fp32";
    }

    /** {@code engine} or {@code host}. */
    public String commImplName() {
        return commImpl.name().toLowerCase(Locale.ROOT);
    }

    public Path cacheDir() {
        return out.resolve("cache");
    }
}
