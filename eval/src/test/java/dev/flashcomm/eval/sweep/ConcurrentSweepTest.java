package dev.flashcomm.eval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two sweeps on one {@code --out} (issue 14): each cell is measured once, and both report every cell. */
class ConcurrentSweepTest {

    /** Only a guard against a hang: far beyond what a claim needs, even on a loaded two-core host. */
    private static final long HANG_GUARD_SECONDS = 60;

    @TempDir
    Path tmp;

    /**
     * The second claim is started, then the test waits for its "waiting" warning (the claim gives it when it finds
     * the cell held), not for a guessed time: a sleep can end before a loaded host has even run the other thread,
     * and the first claim would then be released before the second looked (issue 21).
     */
    @Test
    void aClaimedCellWaitsForItsHolder() throws Exception {
        SweepConfig config = TinySweep.config(tmp.resolve("out"));
        Cell cell = SweepPlanner.plan(config).cells().get(0);
        CellCache cache = new CellCache(config.cacheDir());
        CacheKey key = CacheKey.of(cell, config);
        List<String> warnings = new CopyOnWriteArrayList<>();
        CountDownLatch secondIsWaiting = new CountDownLatch(1);
        Consumer<String> secondsWarnings = w -> {
            warnings.add(w);
            secondIsWaiting.countDown();
        };
        AtomicBoolean firstReleased = new AtomicBoolean();
        ExecutorService other = Executors.newSingleThreadExecutor();
        try (CellClaim first = cache.claim(key, cell, warnings::add)) {
            assertFalse(first.waited());
            Future<Boolean> second = other.submit(() -> {
                try (CellClaim c = cache.claim(key, cell, secondsWarnings)) {
                    assertTrue(firstReleased.get(), "the second claim is granted only after the first is released");
                    return c.waited();
                }
            });
            assertTrue(secondIsWaiting.await(HANG_GUARD_SECONDS, TimeUnit.SECONDS),
                    "the second claim never reported the cell as held");
            assertFalse(second.isDone(), "the second claim waits while the first is held");
            firstReleased.set(true);
            first.close();
            assertTrue(second.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS), "and says it waited");
        } finally {
            other.shutdownNow();
        }
        assertEquals(1, warnings.size(), "" + warnings);
        assertTrue(warnings.get(0).contains("another flashcomm is measuring " + cell.label()), warnings.get(0));
    }

    @Test
    void twoSweepsOnOneOutMeasureEachCellOnce() throws Exception {
        Path out = tmp.resolve("out");
        ExecutorService two = Executors.newFixedThreadPool(2);
        List<String> warnings = new CopyOnWriteArrayList<>();
        CellListener listener = new CellListener() {
            @Override
            public void warning(String message) {
                warnings.add(message);
            }
        };
        try {
            Future<SweepOutcome> a = two.submit(() -> new Sweep(SweepPlanner.plan(TinySweep.config(out)),
                    listener).run());
            Future<SweepOutcome> b = two.submit(() -> new Sweep(SweepPlanner.plan(TinySweep.config(out)),
                    listener).run());
            SweepOutcome x = a.get(300, TimeUnit.SECONDS);
            SweepOutcome y = b.get(300, TimeUnit.SECONDS);
            assertEquals(TinySweep.CELLS, x.computed() + y.computed(), "every cell measured exactly once; "
                    + warnings);
            assertEquals(TinySweep.CELLS, x.computed() + x.resumed());
            assertEquals(TinySweep.CELLS, y.computed() + y.resumed());
            TinySweep.assertSameMeasurements(x.rows(), x.items(), y.rows(), y.items());
        } finally {
            two.shutdownNow();
        }
    }
}
