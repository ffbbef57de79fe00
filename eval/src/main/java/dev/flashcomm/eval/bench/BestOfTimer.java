package dev.flashcomm.eval.bench;

import java.util.function.LongSupplier;

/**
 * The best of {@code reps} timed runs, read on a nanosecond clock: the run least disturbed by whatever else the
 * machine runs. The clock is given so that taking the best can be tested with scripted readings.
 */
public final class BestOfTimer implements GenerationTimer {

    private final int reps;
    private final LongSupplier nanos;

    public BestOfTimer(int reps, LongSupplier nanos) {
        if (reps < 1) {
            throw new IllegalArgumentException("need at least one timed run, got " + reps);
        }
        this.reps = reps;
        this.nanos = nanos;
    }

    /** Best of three on {@link System#nanoTime()}, as {@code bench} times its decode rows. */
    public static BestOfTimer bestOfThree() {
        return new BestOfTimer(3, System::nanoTime);
    }

    /** Runs {@code work} {@code reps} times; the shortest run, in seconds. */
    public double seconds(Runnable work) {
        double best = Double.POSITIVE_INFINITY;
        for (int rep = 0; rep < reps; rep++) {
            long t0 = nanos.getAsLong();
            work.run();
            best = Math.min(best, (nanos.getAsLong() - t0) / 1e9);
        }
        return best;
    }

    @Override
    public double seconds(int newTokens, Runnable generation) {
        return seconds(generation);
    }
}
