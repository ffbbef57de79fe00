package dev.flashcomm.eval.sweep;

import ai.djl.ndarray.types.DataType;
import dev.flashcomm.eval.ppl.CorpusSource;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.allreduce.CommPath;
import dev.flashcomm.tp.comm.CommSettings;
import dev.flashcomm.tp.comm.CompressionScope;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Everything a sweep was asked to do, as given on the command line; {@link SweepPlanner} checks it against the files.
 *
 * @param models       model directories, in the order given
 * @param tps          tensor-parallel degrees
 * @param comms        communication formats; the baseline is added when missing
 * @param baselineComm what every other format is compared with (normally fp16); runs everywhere, whatever the scope
 * @param commPath     how flash formats are carried out; other formats always use the fake path
 * @param scope        which all-reduces the formats apply to
 * @param seqLen       perplexity window; empty for min(2048, max_position_embeddings) of each model
 * @param batch        sequences per forward pass
 * @param limit        first N items of every task; 0 for all
 * @param maxWindows   first N windows of every corpus; 0 for all
 * @param device       devices of the TP ranks, as {@code --device} takes them
 * @param out          directory of results, per-item scores and the cell cache
 */
public record SweepConfig(List<Path> models, List<Integer> tps, List<CommFormat> comms, CommFormat baselineComm,
                          CommPath commPath, CompressionScope scope, List<TaskSource> tasks,
                          List<CorpusSource> corpora, OptionalInt seqLen, int batch, int limit, int maxWindows,
                          String device,
                          DataType dtype, Shard shard, Path out) {

    public static final int DEFAULT_SEQ_LEN = 2048;

    public SweepConfig {
        models = List.copyOf(models);
        tps = List.copyOf(tps).stream().distinct().toList();
        comms = List.copyOf(comms);
        tasks = List.copyOf(tasks);
        corpora = List.copyOf(corpora);
        Objects.requireNonNull(baselineComm, "baselineComm");
        Objects.requireNonNull(commPath, "commPath");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(seqLen, "seqLen");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shard, "shard");
        Objects.requireNonNull(out, "out");
        if (models.isEmpty()) {
            throw new IllegalArgumentException("--model: give at least one model directory");
        }
        if (tps.isEmpty() || tps.stream().anyMatch(tp -> tp < 1)) {
            throw new IllegalArgumentException("--tp: give TP degrees of at least 1, got " + tps);
        }
        if (tasks.isEmpty() && corpora.isEmpty()) {
            throw new IllegalArgumentException("nothing to measure: give --tasks and/or --ppl");
        }
        if (seqLen.isPresent() && seqLen.getAsInt() < 2) {
            throw new IllegalArgumentException("--seq-len must be at least 2, got " + seqLen.getAsInt());
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        }
        if (limit < 0) {
            throw new IllegalArgumentException("--limit must be >= 0 (0 = all), got " + limit);
        }
        if (maxWindows < 0) {
            throw new IllegalArgumentException("--max-windows must be >= 0 (0 = all), got " + maxWindows);
        }
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16) {
            throw new IllegalArgumentException("compute dtype must be fp32 or fp16, got " + dtype);
        }
        requireDistinct("task", tasks.stream().map(t -> t.spec().name()).toList());
        requireDistinct("perplexity corpus", corpora.stream().map(CorpusSource::name).toList());
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
     * to, so it is the same under any scope and always runs everywhere too.
     */
    public List<CommSettings> commSettings() {
        Map<String, CommSettings> byLabel = new LinkedHashMap<>();
        CommSettings base = baselineSettings();
        byLabel.put(base.label(), base);
        for (CommFormat f : comms) {
            CommSettings s = settingsFor(f);
            byLabel.putIfAbsent(s.label(), s);
        }
        return List.copyOf(byLabel.values());
    }

    public CommSettings baselineSettings() {
        return new CommSettings(baselineComm, pathFor(baselineComm), CompressionScope.ALL);
    }

    /** The COMM label baseline rows carry, which {@code BaselineComparison} looks for. */
    public String baselineLabel() {
        return baselineSettings().label();
    }

    private CommSettings settingsFor(CommFormat format) {
        CompressionScope s = format.equals(CommSettings.FP16) ? CompressionScope.ALL : scope;
        return new CommSettings(format, pathFor(format), s);
    }

    /** The ring ablation only exists for flash formats; the others are the same on every path. */
    private CommPath pathFor(CommFormat format) {
        return format.isFlash() ? commPath : CommPath.FAKE;
    }

    /** {@code fp32} or {@code fp16}, as results and cache keys spell it. */
    public String dtypeName() {
        return dtype == DataType.FLOAT16 ? "fp16" : "fp32";
    }

    public Path cacheDir() {
        return out.resolve("cache");
    }
}
