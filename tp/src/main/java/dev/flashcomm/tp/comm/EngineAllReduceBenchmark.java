package dev.flashcomm.tp.comm;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.tp.Engines;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Times one communicator on random {@code [rows, cols]} fp32 partials, all ranks on one device: what a benchmark
 * command calls to compare {@link CommImpl#ENGINE} with {@link CommImpl#HOST} per format. Layer 0, attention site
 * (so a selective scope may make it fp16). Engine work is asynchronous on a GPU, so the clock stops only after one
 * scalar of the last result has been read back.
 */
public final class EngineAllReduceBenchmark {

    /**
     * @param gbPerSecond    algorithm bandwidth as NCCL reports it: one rank's fp32 partial ({@code rows*cols*4}
     *                       bytes) per all-reduce time, in 10^9 bytes per second
     * @param msPerAllReduce wall time per all-reduce, milliseconds
     */
    public record Result(double gbPerSecond, double msPerAllReduce) {
    }

    private static final int WARMUP = 2;

    private EngineAllReduceBenchmark() {
    }

    public static Result run(CommSettings settings, CommImpl impl, Device device, int ranks, int rows, int cols,
            int iterations) {
        if (ranks < 1 || rows < 1 || cols < 1 || iterations < 1) {
            throw new IllegalArgumentException("need ranks, rows, cols and iterations >= 1, got " + ranks + ", " + rows
                    + ", " + cols + ", " + iterations);
        }
        Random rnd = new Random(42);
        try (NDManager m = Engines.newRootManager(device)) {
            List<NDArray> partials = new ArrayList<>();
            for (int r = 0; r < ranks; r++) {
                float[] a = new float[Math.multiplyExact(rows, cols)];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) rnd.nextGaussian();
                }
                partials.add(m.create(a, new Shape(rows, cols)));
            }
            FormatCommunicator comm = new FormatCommunicator(settings, impl, new TrafficMeter(), null);
            for (int i = 0; i < WARMUP; i++) {
                closeUnlessInput(comm.allReduce(partials, 0, Site.ATTENTION), partials);
            }
            readOneScalar(partials.get(0));
            long start = System.nanoTime();
            NDArray last = null;
            for (int i = 0; i < iterations; i++) {
                if (last != null) {
                    closeUnlessInput(last, partials);
                }
                last = comm.allReduce(partials, 0, Site.ATTENTION);
            }
            readOneScalar(last);
            double seconds = (System.nanoTime() - start) / 1e9;
            double perCall = seconds / iterations;
            return new Result((double) rows * cols * Float.BYTES / perCall / 1e9, perCall * 1e3);
        }
    }

    /** One element to the host: waits for all queued work on the device. */
    private static void readOneScalar(NDArray a) {
        a.get("0, 0").toFloatArray();
    }

    private static void closeUnlessInput(NDArray result, List<NDArray> partials) {
        if (!partials.contains(result)) {
            result.close(); // with one rank the communicator hands back partial 0 itself
        }
    }
}
