package dev.flashcomm.eval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashcomm.eval.Progress;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.results.ResultsCsv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Running sweeps for real on the tiny model: a killed sweep resumes with only the unfinished cells, a damaged cache
 * entry is measured again, and shards merged give what one unsharded sweep gives. Each is checked against one clean,
 * uninterrupted sweep, run once for the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SweepRunTest {

    /** Shared by the tests of this class (one instance), so each uses its own subdirectory. */
    @TempDir
    Path tmp;

    private Path cleanOut;
    private SweepOutcome clean;

    /** Stands for a kill: thrown from inside the sweep, it stops it where a dying JVM would. */
    static final class Killed extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    /** Records what a run measured and resumed. */
    static final class Counting implements CellListener {
        final List<Integer> measured = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();
        int resumed = -1;

        @Override
        public void planned(List<Cell> toMeasure, int resumedCells) {
            resumed = resumedCells;
        }

        @Override
        public void finished(Cell cell, CellResult result, double seconds) {
            assertTrue(result.computed(), cell.label());
            measured.add(cell.position());
        }

        @Override
        public void warning(String message) {
            warnings.add(message);
        }
    }

    @BeforeAll
    void cleanSweep(@TempDir Path dir) {
        cleanOut = dir.resolve("clean");
        clean = new Sweep(SweepPlanner.plan(TinySweep.config(cleanOut)), CellListener.NONE).run();
        assertEquals(TinySweep.CELLS, clean.computed());
    }

    @Test
    void sweepKilledInTheThirdCellResumesWithTheLastTwo() throws IOException {
        SweepConfig config = TinySweep.config(tmp.resolve("killed"));
        // cells: 0 fp16 stories, 1 fp16 piqa, 2 int4 stories, 3 int4 piqa; dies inside cell 2, after its first batch
        CellListener killer = new CellListener() {
            @Override
            public Progress started(Cell cell, int ordinal, int total) {
                return ordinal == 3 ? (done, all) -> {
                    throw new Killed();
                } : Progress.NONE;
            }
        };
        assertThrows(Killed.class, () -> new Sweep(SweepPlanner.plan(config), killer).run());
        List<Path> entries = files(config.cacheDir());
        assertEquals(2, entries.size(), "the two finished cells are cached: " + entries);
        assertTrue(entries.stream().allMatch(p -> p.toString().endsWith(".json")), "no temporary file: " + entries);

        Counting rerun = new Counting();
        SweepOutcome resumed = new Sweep(SweepPlanner.plan(config), rerun).run();
        assertEquals(2, rerun.resumed);
        assertEquals(List.of(2, 3), rerun.measured, "only the cells that had not finished are measured");
        assertEquals(2, resumed.resumed());
        assertEquals(2, resumed.computed());
        assertEquals(List.of(), rerun.warnings);
        TinySweep.assertSameMeasurements(clean.rows(), clean.items(), resumed.rows(), resumed.items());

        Counting third = new Counting();
        SweepOutcome again = new Sweep(SweepPlanner.plan(config), third).run();
        assertEquals(List.of(), third.measured, "a finished sweep recomputes nothing");
        assertEquals(TinySweep.CELLS, again.resumed());
        assertEquals(resumed.rows(), again.rows(), "cached rows come back exactly, wall times included");
    }

    @Test
    void damagedCacheEntryIsReportedAndMeasuredAgain() throws IOException {
        SweepConfig config = TinySweep.config(tmp.resolve("damaged"));
        Files.createDirectories(config.cacheDir());
        for (Path entry : files(cleanOut.resolve("cache"))) {
            Files.copy(entry, config.cacheDir().resolve(entry.getFileName()));
        }
        SweepPlan plan = SweepPlanner.plan(config);
        Path damaged = new CellCache(config.cacheDir()).file(CacheKey.of(plan.cells().get(1), config));
        Files.writeString(damaged, "{\"format\": 1, \"rows\": [");

        Counting rerun = new Counting();
        SweepOutcome outcome = new Sweep(plan, rerun).run();
        assertEquals(List.of(1), rerun.measured);
        assertEquals(3, rerun.resumed);
        assertEquals(1, rerun.warnings.size(), rerun.warnings.toString());
        assertTrue(rerun.warnings.get(0).startsWith(damaged + ": corrupt cache entry"), rerun.warnings.get(0));
        TinySweep.assertSameMeasurements(clean.rows(), clean.items(), outcome.rows(), outcome.items());
    }

    @Test
    void twoShardsMergedEqualOneUnshardedSweep() {
        Path out = tmp.resolve("shared-out");
        SweepOutcome first = runShard(out, new Shard(1, 2));
        SweepOutcome second = runShard(out, new Shard(2, 2));
        assertEquals(2, first.computed());
        assertEquals(2, second.computed());
        // dealt round robin, so each shard measures one of the baseline cells itself
        assertEquals(List.of("fp16 ppl:stories", "int4-asym-g128 ppl:stories"), commAndTask(first.rows()));
        assertEquals(List.of("fp16 piqa", "fp16 piqa", "int4-asym-g128 piqa", "int4-asym-g128 piqa"),
                commAndTask(second.rows()));
        assertTrue(ResultsCsv.read(out.resolve("results.part-1-of-2.csv")).stream()
                .allMatch(r -> r.delta().isEmpty()), "parts carry no comparison");

        SweepOutputs.Measurements merged = SweepOutputs.mergeParts(out);
        List<ResultRow> mergedRows = SweepOutputs.writeCompared(out.resolve("results.csv"),
                out.resolve("items.csv"), merged, "fp16", TestProvenance.of("flashcomm merge"));
        List<ResultRow> cleanRows = SweepOutputs.writeCompared(cleanOut.resolve("results.csv"),
                cleanOut.resolve("items.csv"), new SweepOutputs.Measurements(clean.rows(), clean.items()), "fp16",
                TestProvenance.of("flashcomm sweep"));
        TinySweep.assertSameMeasurements(cleanRows, clean.items(), mergedRows, merged.items());
        assertEquals(cleanRows.stream().map(ResultRow::cell).toList(),
                mergedRows.stream().map(ResultRow::cell).toList(), "same row order as an unsharded sweep");
        assertTrue(mergedRows.stream().filter(r -> r.comm().equals("fp16"))
                .allMatch(r -> r.delta().getAsDouble() == 0.0), "baseline rows compare with themselves");
    }

    private static SweepOutcome runShard(Path out, Shard shard) {
        SweepConfig config = TinySweep.config(List.of(TinySweep.model()), out, shard);
        SweepPlan plan = SweepPlanner.plan(config);
        SweepOutcome outcome = new Sweep(plan, CellListener.NONE).run();
        SweepOutputs.writePart(out, shard, new SweepOutputs.Measurements(outcome.rows(), outcome.items()), "fp16",
                TestProvenance.of("flashcomm sweep --shard " + shard), SweepOutputs.planCells(plan.cells()));
        return outcome;
    }

    private static List<String> commAndTask(List<ResultRow> rows) {
        return rows.stream().map(r -> r.comm() + " " + r.task()).toList();
    }

    /** The cache entries of {@code dir}; the per-cell lock files beside them are not entries. */
    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        }
    }
}
