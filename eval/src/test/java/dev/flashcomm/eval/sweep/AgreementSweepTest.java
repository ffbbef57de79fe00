package dev.flashcomm.eval.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import dev.flashcomm.eval.Slow;
import dev.flashcomm.eval.lm.Generation;
import dev.flashcomm.eval.tasks.GenerationAgreement;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.allreduce.CommPath;
import dev.flashcomm.results.ItemScore;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.results.Significance;
import dev.flashcomm.tp.comm.CommChoice;
import dev.flashcomm.tp.comm.CommImpl;
import dev.flashcomm.tp.comm.CompressionScope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agreement task on the tiny model at TP 2: the baseline agrees with itself, int2 does not everywhere, the
 * metrics are what the generations say, and a resumed or sharded sweep gives the same numbers.
 */
@Slow
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgreementSweepTest {

    static final int NEW_TOKENS = 8;
    static final String TASK = "agreement:stories";
    /** One batch of four: the whole cell is one prefill and eight decode steps. */
    static final List<String> PROMPTS = List.of("Once upon a time, there was a little girl named Lily.",
            "One day, a small dog named Max found a bone", "Tom and his mom went to the park. Tom saw",
            "Sue had a big red");

    /** Shared by the tests of this class (one instance), so each uses its own subdirectory. */
    @TempDir
    Path tmp;

    private SweepOutcome clean;
    private List<ResultRow> compared;

    static Path promptsFile(Path dir) throws IOException {
        return Files.writeString(dir.resolve("prompts.txt"), String.join("\n", PROMPTS) + "\n",
                StandardCharsets.UTF_8);
    }

    static SweepConfig config(Path prompts, Path out, Shard shard) {
        return new SweepConfig(List.of(TinySweep.model()), List.of(2),
                Stream.of("int8", "int2").map(f -> CommChoice.of(CommFormat.parse(f))).toList(),
                Optional.of(CommFormat.FP16), CommPath.FAKE, CompressionScope.ALL, null, null, null, List.of(),
                List.of(), OptionalInt.empty(), BatchSize.of(4), Limit.ALL, Limit.ALL, "cpu", DataType.FLOAT32,
                CommImpl.ENGINE, SweepConfig.DEFAULT_SEED, shard, out,
                List.of(new PromptSource(TASK, prompts)), NEW_TOKENS);
    }

    @BeforeAll
    void cleanSweep(@TempDir Path dir) throws IOException {
        clean = new Sweep(SweepPlanner.plan(config(promptsFile(dir), dir.resolve("clean"), Shard.ALL)),
                CellListener.NONE).run();
        compared = SweepOutputs.compared(new SweepOutputs.Measurements(clean.rows(), clean.items()),
                Optional.of("fp16"), SweepConfig.DEFAULT_SEED);
    }

    private ResultRow row(String comm, String metric) {
        return compared.stream().filter(r -> r.comm().startsWith(comm) && r.metric().equals(metric)).findFirst()
                .orElseThrow();
    }

    private List<Generation> generations(String comm) {
        return clean.generations().stream().filter(g -> g.comm().startsWith(comm)).findFirst().orElseThrow()
                .generations();
    }

    @Test
    void theBaselineAgreesWithItselfAndInt2Diverges() {
        assertEquals(3, clean.generations().size());
        assertEquals(1.0, row("fp16", GenerationAgreement.AGREEMENT).value());
        assertEquals(NEW_TOKENS, row("fp16", GenerationAgreement.FIRST_DIVERGENCE).value(), "censored at its length");
        ResultRow int2 = row("int2", GenerationAgreement.AGREEMENT);
        assertTrue(int2.value() < 1.0, int2.toString());
        assertEquals(Significance.MCNEMAR, int2.test());
        assertEquals(1.0, int2.baseline().getAsDouble());
        double divergence = row("int2", GenerationAgreement.FIRST_DIVERGENCE).value();
        assertTrue(divergence >= 0 && divergence < NEW_TOKENS, Double.toString(divergence));
        assertEquals("greedy max_new_tokens=8", int2.protocol());
        assertTrue(int2.settings().startsWith("max_new_tokens=8;batch=4;limit=0;baseline=fp16;"), int2.settings());
    }

    @Test
    void theMetricsAreWhatTheGenerationsSay() {
        List<Generation> base = generations("fp16");
        for (String comm : List.of("int8", "int2")) {
            List<Generation> variant = generations(comm);
            double agree = 0;
            double first = 0;
            for (int i = 0; i < PROMPTS.size(); i++) {
                assertEquals(NEW_TOKENS, variant.get(i).newIds().length);
                assertArrayEquals(base.get(i).promptIds(), variant.get(i).promptIds());
                int d = GenerationAgreement.firstDivergence(base.get(i).newIds(), variant.get(i).newIds());
                boolean same = java.util.Arrays.equals(base.get(i).newIds(), variant.get(i).newIds());
                agree += same ? 1 : 0;
                first += d;
                ItemScore flag = clean.items().get(row(comm, GenerationAgreement.AGREEMENT).withoutComparison().cell())
                        .get(i);
                assertEquals(new ItemScore(i, same ? 1 : 0, 1), flag);
            }
            assertEquals(agree / PROMPTS.size(), row(comm, GenerationAgreement.AGREEMENT).value(), 1e-15);
            assertEquals(first / PROMPTS.size(), row(comm, GenerationAgreement.FIRST_DIVERGENCE).value(), 1e-12);
        }
    }

    @Test
    void aResumedSweepTakesEverythingFromTheCache() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("resume"));
        SweepConfig config = config(promptsFile(out), out.resolve("out"), Shard.ALL);
        new Sweep(SweepPlanner.plan(config), CellListener.NONE).run();
        SweepOutcome again = new Sweep(SweepPlanner.plan(config), CellListener.NONE).run();
        assertEquals(0, again.computed());
        assertEquals(3, again.resumed());
        TinySweep.assertSameMeasurements(clean.rows(), clean.items(), again.rows(), again.items());
        for (int c = 0; c < 3; c++) {
            List<Generation> a = clean.generations().get(c).generations();
            List<Generation> b = again.generations().get(c).generations();
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.get(i).newIds(), b.get(i).newIds());
                assertArrayEquals(a.get(i).logProbs(), b.get(i).logProbs());
                assertEquals(a.get(i).text(), b.get(i).text());
            }
        }
        // another --max-new-tokens is another measurement, and other prompts too
        SweepPlan plan = SweepPlanner.plan(config);
        Cell cell = plan.cells().get(1);
        SweepConfig shorter = new SweepConfig(config.models(), config.tps(), config.comms(), config.baselineComm(),
                config.commPath(), config.scope(), null, null, null, List.of(), List.of(), config.seqLen(),
                config.batch(), config.limit(), config.maxWindows(), "cpu", DataType.FLOAT32, CommImpl.ENGINE,
                config.seed(), Shard.ALL, out, config.agreements(), NEW_TOKENS - 1);
        assertNotEquals(CacheKey.of(cell, config).hash(), CacheKey.of(cell, shorter).hash());
        Files.writeString(out.resolve("prompts.txt"), "Another prompt\n", StandardCharsets.UTF_8);
        Cell edited = SweepPlanner.plan(config).cells().get(1);
        assertNotEquals(CacheKey.of(cell, config).hash(), CacheKey.of(edited, config).hash());
    }

    @Test
    void aShardWithoutTheBaselineCellGeneratesTheBaselineItself() throws IOException {
        // cells: 0 fp16, 1 int8, 2 int2; shard 2/2 owns cell 1 only
        Path dir = Files.createDirectories(tmp.resolve("shard"));
        SweepOutcome part = new Sweep(SweepPlanner.plan(config(promptsFile(dir), dir.resolve("out"),
                Shard.parse("2/2"))), CellListener.NONE).run();
        assertEquals(1, part.computed());
        List<ResultRow> expected = clean.rows().stream().filter(r -> r.comm().startsWith("int8")).toList();
        TinySweep.assertSameMeasurements(expected, clean.items().entrySet().stream()
                        .filter(e -> e.getKey().comm().startsWith("int8"))
                        .collect(java.util.stream.Collectors.toMap(java.util.Map.Entry::getKey,
                                java.util.Map.Entry::getValue)),
                part.rows(), part.items());
    }
}
