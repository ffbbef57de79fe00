package dev.flashcomm.tp.checkpoint;

import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * Copies a window of stored elements into a staging buffer, widening BF16 to fp32 on several threads. The window
 * is cut into contiguous ranges, one task each; every task converts through small arrays because bulk buffer
 * transfers are much faster than element-wise {@code get}/{@code put}.
 */
final class Widening {

    /** Below this many elements per task the fork costs more than it saves. */
    private static final int MIN_TASK_ELEMENTS = 1 << 18;
    private static final int BLOCK = 1 << 13;

    private Widening() {
    }

    /** {@code src} is little-endian stored data at position 0, {@code dst} native order at position 0. */
    static void copy(StoredType type, ByteBuffer src, ByteBuffer dst, int count, ForkJoinPool pool) {
        int tasks = Math.max(1, Math.min(pool.getParallelism() * 4, count / MIN_TASK_ELEMENTS));
        if (tasks == 1) {
            copyRange(type, src, dst, 0, count);
            return;
        }
        List<ForkJoinTask<?>> running = new ArrayList<>(tasks);
        long per = ((long) count + tasks - 1) / tasks;
        for (int t = 0; t < tasks; t++) {
            int from = (int) Math.min(count, t * per);
            int to = (int) Math.min(count, from + per);
            running.add(pool.submit(() -> copyRange(type, src, dst, from, to)));
        }
        running.forEach(ForkJoinTask::join);
    }

    private static void copyRange(StoredType type, ByteBuffer src, ByteBuffer dst, int from, int to) {
        switch (type) {
            case F32: {
                // views are independent positions over the same memory, so ranges can run in parallel
                IntBuffer in = src.duplicate().order(src.order()).asIntBuffer();
                IntBuffer out = dst.duplicate().order(dst.order()).asIntBuffer();
                int[] block = new int[BLOCK];
                for (int i = from; i < to; i += BLOCK) {
                    int n = Math.min(BLOCK, to - i);
                    in.get(i, block, 0, n);
                    out.put(i, block, 0, n);
                }
                break;
            }
            case F16: {
                ShortBuffer in = src.duplicate().order(src.order()).asShortBuffer();
                ShortBuffer out = dst.duplicate().order(dst.order()).asShortBuffer();
                short[] block = new short[BLOCK];
                for (int i = from; i < to; i += BLOCK) {
                    int n = Math.min(BLOCK, to - i);
                    in.get(i, block, 0, n);
                    out.put(i, block, 0, n);
                }
                break;
            }
            default: {
                ShortBuffer in = src.duplicate().order(src.order()).asShortBuffer();
                IntBuffer out = dst.duplicate().order(dst.order()).asIntBuffer();
                short[] half = new short[BLOCK];
                int[] full = new int[BLOCK];
                for (int i = from; i < to; i += BLOCK) {
                    int n = Math.min(BLOCK, to - i);
                    in.get(i, half, 0, n);
                    for (int j = 0; j < n; j++) {
                        // bf16 is the top half of an fp32 bit pattern: widening is exact
                        full[j] = (half[j] & 0xFFFF) << 16;
                    }
                    out.put(i, full, 0, n);
                }
                break;
            }
        }
    }
}
