package dev.flashcomm.eval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.types.DataType;
import dev.flashcomm.datasets.TaskRegistry;
import dev.flashcomm.eval.Fixtures;
import dev.flashcomm.eval.ppl.CorpusSource;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.allreduce.CommPath;
import dev.flashcomm.results.CellKey;
import dev.flashcomm.results.ItemScore;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.tp.comm.CompressionScope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * A sweep small enough for unit tests: the bundled llama3-tiny at TP 2, fp16 and int4, perplexity on two 64-token
 * windows of the bundled stories and the first two bundled piqa items: 4 cells, a few seconds of compute.
 * Everything comes from the repository (models/, demo/), so these tests need no shared fixtures.
 */
public final class TinySweep {

    public static final int CELLS = 4;

    private TinySweep() {
    }

    public static Path model() {
        Path dir = Fixtures.ROOT.resolve("models/llama3-tiny");
        assumeTrue(Files.isDirectory(dir), () -> "skipped: no bundled model at " + dir);
        return dir;
    }

    public static Path demo(String relative) {
        Path p = Fixtures.ROOT.resolve("demo").resolve(relative);
        assumeTrue(Files.exists(p), () -> "skipped: no demo content at " + p);
        return p;
    }

    public static SweepConfig config(List<Path> models, Path out, Shard shard) {
        return new SweepConfig(models, List.of(2), List.of(CommFormat.parse("int4")), CommFormat.FP16,
                CommPath.FAKE, CompressionScope.ALL,
                List.of(new TaskSource(TaskRegistry.PIQA, demo("tasks/piqa/valid.jsonl"))),
                List.of(CorpusSource.of(demo("stories.txt"), false, "stories")), OptionalInt.of(64), 4, 2, 2, "cpu",
                DataType.FLOAT32, shard, out);
    }

    public static SweepConfig config(Path out) {
        return config(List.of(model()), out, Shard.ALL);
    }

    /** A writable copy of the bundled model under {@code parent}/{@code name}. */
    public static Path copyModel(Path parent, String name) throws IOException {
        Path src = model();
        Path dst = Files.createDirectories(parent.resolve(name));
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : files.toList()) {
                Files.write(dst.resolve(f.getFileName()), Files.readAllBytes(f));
            }
        }
        return dst;
    }

    /** Equal measurements: every field but the wall time, and every per-item score, exactly. */
    public static void assertSameMeasurements(List<ResultRow> expected, Map<CellKey, List<ItemScore>> expectedItems,
                                              List<ResultRow> actual, Map<CellKey, List<ItemScore>> actualItems) {
        assertEquals(measured(expected), measured(actual));
        assertEquals(expectedItems.keySet(), actualItems.keySet());
        expectedItems.forEach((k, v) -> assertEquals(v, actualItems.get(k), k.toString()));
    }

    private static List<String> measured(List<ResultRow> rows) {
        return rows.stream().sorted(Comparator.comparing((ResultRow r) -> r.cell().toString()))
                .map(r -> String.join("|", r.cell().toString(), r.commPath(), Double.toString(r.value()),
                        Double.toString(r.stderr()), Long.toString(r.n()), r.baseline().toString(),
                        r.delta().toString(), r.pValue().toString(), r.test(), Long.toString(r.bytesPerForward()),
                        r.protocol(), Integer.toString(r.taskVersion()), r.settings()))
                .toList();
    }
}
