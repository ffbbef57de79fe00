package dev.flashcomm.eval.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.tp.Engines;

/** The matmul rate the engine reaches on this machine: the denominator of model FLOP utilization. */
public final class MatmulRate {

    private MatmulRate() {
    }

    /** Best GFLOP/s over {@code reps} timed products of {@code [m, k] x [k, n]}, after warm-up. */
    public static double gflops(Device device, int m, int k, int n, int reps) {
        return gflops(device, DataType.FLOAT32, m, k, n, reps);
    }

    /** As {@link #gflops(Device, int, int, int, int)} in {@code dtype} (fp32 or fp16). */
    public static double gflops(Device device, DataType dtype, int m, int k, int n, int reps) {
        try (NDManager mg = Engines.newRootManager(device)) {
            NDArray a = mg.randomUniform(-1, 1, new Shape(m, k)).toType(dtype, false);
            NDArray b = mg.randomUniform(-1, 1, new Shape(k, n)).toType(dtype, false);
            for (int i = 0; i < 3; i++) {
                try (NDArray c = a.matMul(b)) {
                    finish(c);
                }
            }
            double best = Double.MAX_VALUE;
            for (int i = 0; i < reps; i++) {
                long t0 = System.nanoTime();
                try (NDArray c = a.matMul(b)) {
                    finish(c);
                }
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
            return 2.0 * m * k * n / best / 1e9;
        }
    }

    /** Reads one element, which waits for the product on asynchronous devices. */
    private static void finish(NDArray c) {
        try (NDArray one = c.get(0, 0).toType(DataType.FLOAT32, false)) {
            one.getFloat();
        }
    }
}
