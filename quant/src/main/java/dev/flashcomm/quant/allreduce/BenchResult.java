package dev.flashcomm.quant.allreduce;

import dev.flashcomm.quant.CommFormat;

/**
 * Throughput of one all-reduce algorithm on synthetic partials.
 *
 * @param format               communication format
 * @param path                 simulation path
 * @param rows                 tokens per partial
 * @param cols                 hidden size
 * @param ranks                tensor-parallel ranks (partials per call)
 * @param reps                 timed calls (after untimed warm-up calls)
 * @param secondsPerCall       mean wall time of one timed call
 * @param gigabytesPerSecond   fp32 partial input per second: {@code ranks*rows*cols*4 / secondsPerCall / 1e9}
 * @param maxBytesSentPerRank  largest {@link AllReduceAlgorithm#bytesSentPerRank} entry for this shape
 */
public record BenchResult(CommFormat format, CommPath path, int rows, int cols, int ranks, int reps,
                          double secondsPerCall, double gigabytesPerSecond, long maxBytesSentPerRank) {

    public BenchResult {
        if (format == null || path == null) {
            throw new IllegalArgumentException("format and path are required");
        }
        if (rows < 1 || cols < 1 || ranks < 1 || reps < 1) {
            throw new IllegalArgumentException("bad benchmark shape: " + ranks + " x [" + rows + ", " + cols + "], " + reps + " reps");
        }
        if (!(secondsPerCall > 0) || !(gigabytesPerSecond > 0) || maxBytesSentPerRank < 0) {
            throw new IllegalArgumentException("bad measurement: " + secondsPerCall + " s, " + gigabytesPerSecond + " GB/s, "
                    + maxBytesSentPerRank + " bytes");
        }
    }
}
