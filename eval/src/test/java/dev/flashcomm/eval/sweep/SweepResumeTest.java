package dev.flashcomm.eval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashcomm.eval.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sweep killed part-way resumes: finished cells come from the cache, and the results match a clean run. */
class SweepResumeTest {

    @TempDir
    Path tmp;

    /** Stands for a kill: thrown from inside the sweep, it unwinds it like a dying JVM would stop it. */
    static final class Killed extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    /** Counts what a run measured and resumed. */
    static final class Counting implements CellListener {
        final List<Integer> measured = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();
        int resumed = -1;
        int planned = -1;

        @Override
        public void planned(List<Cell> toMeasure, int resumedCells) {
            planned = toMeasure.size();
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

    @Test
    void sweepKilledInTheThirdCellResumesWithTheLastTwo() throws IOException {
        SweepConfig config = TinySweep.config(tmp.resolve("out"));
        // dies in the middle of the third cell: after its first progress report, before it is finished
        CellListener killer = new CellListener() {
            @Override
            public Progress started(Cell cell, int ordinal, int total) {
                return ordinal == 3 ? (done, all) -> {
                    throw new Killed();
                } : Progress.NONE;
            }
        };
        assertThrows(Killed.class, () -> new Sweep(SweepPlanner.plan(config), killer).run());
        assertEquals(2, cacheEntries(config.cacheDir()).size(), "the two finished cells are cached");
        assertTrue(cacheEntries(config.cacheDir()).stream().allMatch(p -> p.toString().endsWith(".json")),
                "no temporary file left behind: " + cacheEntries(config.cacheDir()));

        Counting rerun = new Counting();
        SweepOutcome resumed = new Sweep(SweepPlanner.plan(config), rerun).run();
        assertEquals(2, rerun.resumed);
        assertEquals(List.of(2, 3), rerun.measured, "only the cells that had not finished are measured");
        assertEquals(2, resumed.resumed());
        assertEquals(2, resumed.computed());
        assertEquals(List.of(), rerun.warnings);

        SweepOutcome clean = new Sweep(SweepPlanner.plan(TinySweep.config(tmp.resolve("clean"))), CellListener.NONE)
                .run();
        assertEquals(TinySweep.CELLS, clean.computed());
        TinySweep.assertSameMeasurements(clean.rows(), clean.items(), resumed.rows(), resumed.items());

        Counting third = new Counting();
        SweepOutcome again = new Sweep(SweepPlanner.plan(config), third).run();
        assertEquals(List.of(), third.measured, "a finished sweep recomputes nothing");
        assertEquals(TinySweep.CELLS, again.resumed());
        assertEquals(resumed.rows(), again.rows(), "cached rows come back exactly, wall times included");
    }

    @Test
    void corruptCacheEntryIsReportedAndMeasuredAgain() throws IOException {
        SweepConfig config = TinySweep.config(tmp.resolve("out"));
        SweepOutcome first = new Sweep(SweepPlanner.plan(config), CellListener.NONE).run();
        SweepPlan plan = SweepPlanner.plan(config);
        Path entry = new CellCache(config.cacheDir()).file(CacheKey.of(plan.cells().get(1), config));
        Files.writeString(entry, "{\"format\": 1, \"rows\": [");

        Counting rerun = new Counting();
        SweepOutcome second = new Sweep(plan, rerun).run();
        assertEquals(List.of(1), rerun.measured);
        assertEquals(1, rerun.warnings.size(), rerun.warnings.toString());
        assertTrue(rerun.warnings.get(0).startsWith(entry + ": corrupt cache entry"), rerun.warnings.get(0));
        TinySweep.assertSameMeasurements(first.rows(), first.items(), second.rows(), second.items());
    }

    private static List<Path> cacheEntries(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
