package dev.flashcomm.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.PrimitiveIterator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The best of N runs, on a clock that reads out scripted nanoseconds instead of the machine's time. */
class BestOfTimerTest {

    /** A clock that returns {@code readings} in order, and fails the test when read once too often. */
    private static LongSupplier scripted(long... readings) {
        PrimitiveIterator.OfLong it = LongStream.of(readings).iterator();
        return it::nextLong;
    }

    @Test
    void theShortestOfTheRunsCounts() {
        // runs of 5 ms (0 -> 5 ms), 3 ms (10 -> 13 ms) and 4 ms (20 -> 24 ms): the best is 3 ms
        AtomicInteger runs = new AtomicInteger();
        BestOfTimer timer = new BestOfTimer(3, scripted(0, 5_000_000, 10_000_000, 13_000_000, 20_000_000, 24_000_000));
        assertEquals(0.003, timer.seconds(runs::incrementAndGet), 1e-15);
        assertEquals(3, runs.get(), "the work runs once per timing");
    }

    @Test
    void theTokenCountDoesNotChangeWhatTheClockSays() {
        // one run from 1 s to 1.25 s on the clock: 0.25 s, whatever the generation makes
        assertEquals(0.25, new BestOfTimer(1, scripted(1_000_000_000, 1_250_000_000)).seconds(128, () -> { }));
    }

    @Test
    void atLeastOneRunIsTimed() {
        assertThrows(IllegalArgumentException.class, () -> new BestOfTimer(0, System::nanoTime));
    }
}
