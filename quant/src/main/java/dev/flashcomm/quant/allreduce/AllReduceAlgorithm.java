package dev.flashcomm.quant.allreduce;

/**
 * One way of all-reducing the row-parallel partial sums of N tensor-parallel ranks. Implementations are immutable
 * and thread-safe; each call allocates its own buffers.
 */
public interface AllReduceAlgorithm {

    /**
     * partials[r] = rank r's row-major [rows, cols] partial. Returns S, which every rank ends with. Never modifies inputs.
     *
     * @throws NonFiniteException if any partial holds NaN or an infinity
     */
    float[] reduce(float[][] partials, int rows, int cols);

    /** exact bytes each rank sends for one all-reduce of that shape (index = rank). */
    long[] bytesSentPerRank(int ranks, int rows, int cols);
}
