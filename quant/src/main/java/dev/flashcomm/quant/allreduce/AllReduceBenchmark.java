package dev.flashcomm.quant.allreduce;

import dev.flashcomm.quant.CommFormat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small wall-clock benchmark of the all-reduce algorithms (no JMH): single-threaded, synthetic partials, a few
 * untimed warm-up calls so the JIT has compiled the loops, then the mean of {@code reps} timed calls.
 */
public final class AllReduceBenchmark {

    private static final long SEED = 20240601L;
    private static final int WARMUP_CALLS = 2;
    private static final int FP32_BYTES = 4;

    private AllReduceBenchmark() {
    }

    /** Times every format on the same partials, in the order given. */
    public static List<BenchResult> run(List<CommFormat> formats, CommPath path, int rows, int cols, int ranks, int reps) {
        if (formats == null || path == null) {
            throw new IllegalArgumentException("formats and path are required");
        }
        if (rows < 1 || cols < 1 || ranks < 1 || reps < 1) {
            throw new IllegalArgumentException("bad benchmark shape: " + ranks + " x [" + rows + ", " + cols + "], " + reps + " reps");
        }
        // build every algorithm first so a bad format/path pair fails before minutes of timing
        List<AllReduceAlgorithm> algorithms = new ArrayList<>();
        for (CommFormat f : formats) {
            algorithms.add(AllReduceAlgorithms.create(f, path));
        }
        float[][] partials = syntheticPartials(ranks, rows, cols);
        double inputBytes = (double) ranks * rows * cols * FP32_BYTES;
        List<BenchResult> results = new ArrayList<>();
        for (int f = 0; f < formats.size(); f++) {
            AllReduceAlgorithm algorithm = algorithms.get(f);
            float sink = 0;
            for (int w = 0; w < WARMUP_CALLS; w++) {
                sink += algorithm.reduce(partials, rows, cols)[w % cols];
            }
            long start = System.nanoTime();
            for (int rep = 0; rep < reps; rep++) {
                sink += algorithm.reduce(partials, rows, cols)[rep % cols];
            }
            double seconds = Math.max(System.nanoTime() - start, 1) / 1e9 / reps;
            long maxBytes = 0;
            for (long b : algorithm.bytesSentPerRank(ranks, rows, cols)) {
                maxBytes = Math.max(maxBytes, b);
            }
            if (Float.isNaN(sink)) {
                // consumes the results so the calls cannot be optimised away; synthetic inputs never get here
                throw new IllegalStateException("benchmark produced NaN for " + formats.get(f));
            }
            results.add(new BenchResult(formats.get(f), path, rows, cols, ranks, reps, seconds, inputBytes / seconds / 1e9, maxBytes));
        }
        return List.copyOf(results);
    }

    /** Activation-like partials: mostly small values with a few large outlier columns, as in real LLM layers. */
    static float[][] syntheticPartials(int ranks, int rows, int cols) {
        SplittableRandom random = new SplittableRandom(SEED);
        float[][] partials = new float[ranks][Math.multiplyExact(rows, cols)];
        for (float[] p : partials) {
            for (int i = 0; i < p.length; i++) {
                float v = (float) (random.nextDouble() * 2 - 1);
                p[i] = (i % cols) % 97 == 0 ? 20 * v : v;
            }
        }
        return partials;
    }
}
