package dev.flashcomm.tp.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ForkJoinPool;

/**
 * Where one validated tensor's bytes lie in a safetensors file: absolute file offset, dtype and shape. Reading is
 * by row ranges, each through its own memory-mapped window, so a tensor of more than 2^31 elements or bytes is read
 * in several windows with long offsets, and no reader ever needs the whole tensor in Java memory.
 */
public record StoredTensor(Path file, String name, StoredType type, long[] shape, long offset) {

    public StoredTensor {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long elements() {
        return elements(shape);
    }

    /** Elements of a tensor of {@code shape} (1 for a scalar). */
    static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Elements of {@code shape}, or an {@link ArithmeticException} when they overflow a long. */
    static long elementsExact(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Bytes in the file. */
    public long storedBytes() {
        return elements() * type.storedBytes();
    }

    /** Rows along the first axis (1 for a scalar). */
    public long rows() {
        return shape.length == 0 ? 1 : shape[0];
    }

    /** Elements per row (1 for a vector). */
    public long rowElements() {
        long n = 1;
        for (int i = 1; i < shape.length; i++) {
            n *= shape[i];
        }
        return n;
    }

    /**
     * Writes rows {@code [from, to)} into {@code dst} from its position on, in native byte order, as fp32 (F32,
     * BF16 widened exactly) or as fp16 bits (F16), and advances its position. The widening is split over
     * {@code pool}'s threads. The window {@code (to - from) · rowElements · storedBytes} must stay below 2 GiB.
     */
    public void stageRows(long from, long to, ByteBuffer dst, ForkJoinPool pool) {
        if (from < 0 || to < from || to > rows()) {
            throw new IndexOutOfBoundsException(name + ": rows [" + from + ", " + to + ") of " + rows());
        }
        long count = (to - from) * rowElements();
        long windowBytes = count * type.storedBytes();
        if (windowBytes > Integer.MAX_VALUE || count * type.stagedBytes() > dst.remaining()) {
            throw new IllegalArgumentException(name + ": " + count + " elements do not fit one window or buffer");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            // a mapping stays valid after its channel closes; the page cache, not the heap, holds the bytes
            MappedByteBuffer window = ch.map(FileChannel.MapMode.READ_ONLY,
                    offset + from * rowElements() * type.storedBytes(), windowBytes);
            window.order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer out = dst.slice().order(ByteOrder.nativeOrder());
            Widening.copy(type, window, out, (int) count, pool);
            dst.position(dst.position() + (int) (count * type.stagedBytes()));
        } catch (IOException ex) {
            throw new CheckpointException(file, "cannot read tensor '" + name + "': " + ex.getMessage());
        }
    }
}
