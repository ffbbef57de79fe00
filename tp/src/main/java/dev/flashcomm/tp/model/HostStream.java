package dev.flashcomm.tp.model;

import dev.flashcomm.tp.checkpoint.StoredTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ForkJoinPool;

/**
 * Reads and widens checkpoint tensors ahead of the consumer, on a background thread, into a fixed pool of direct
 * buffers. A tensor larger than one buffer arrives as several row chunks. The producer blocks when every buffer
 * is in use, so host staging memory is at most {@code buffers · chunkBytes} however large the model: the consumer
 * must {@link #release} each chunk once the engine has copied it.
 *
 * <p>Close it to stop the producer early (on error, or when the consumer is done).
 */
final class HostStream implements AutoCloseable {

    /** One staged row range {@code [rowFrom, rowTo)} of {@code source}; {@code data} is flipped, native order. */
    record Chunk(StoredTensor source, long rowFrom, long rowTo, boolean last, ByteBuffer data) {
    }

    /** Why the producer stopped, passed through the queue so the consumer rethrows it on its own thread. */
    private record Failure(RuntimeException error) {
    }

    private final List<StoredTensor> tensors;
    private final long rowsCapacity;
    private final int bufferBytes;
    private final BlockingQueue<ByteBuffer> free;
    private final BlockingQueue<Object> ready;
    private final ForkJoinPool pool;
    private final Thread producer;
    private final int maxBuffers;
    private int allocated;
    private int inFlight;
    private int peakInFlight;

    /**
     * @param chunkBytes most bytes of one staged chunk (a tensor row wider than that gets a buffer of its own size)
     * @param buffers    how many chunks may be staged or in use at once
     */
    HostStream(List<StoredTensor> tensors, long chunkBytes, int buffers, ForkJoinPool pool) {
        if (buffers < 2) {
            throw new IllegalArgumentException("need at least 2 buffers to overlap reading with uploading");
        }
        this.tensors = List.copyOf(tensors);
        this.pool = pool;
        this.maxBuffers = buffers;
        long widestRow = 1;
        long largestTensor = 1;
        for (StoredTensor t : tensors) {
            widestRow = Math.max(widestRow, t.rowElements() * t.type().stagedBytes());
            largestTensor = Math.max(largestTensor, t.elements() * t.type().stagedBytes());
        }
        // small models get small buffers: no point in zeroing 4 · 128 MiB for a 7 MB checkpoint
        long size = Math.max(widestRow, Math.min(chunkBytes, largestTensor));
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("one row of " + widestRow + " bytes does not fit a direct buffer");
        }
        this.bufferBytes = (int) size;
        this.rowsCapacity = size; // in bytes; divided per tensor by its row width
        this.free = new ArrayBlockingQueue<>(buffers);
        this.ready = new ArrayBlockingQueue<>(buffers + 1);
        this.producer = new Thread(this::produce, "flashcomm-load-reader");
        this.producer.setDaemon(true);
        this.producer.start();
    }

    private void produce() {
        try {
            for (StoredTensor t : tensors) {
                long rowBytes = t.rowElements() * t.type().stagedBytes();
                long rowsPerChunk = Math.max(1, rowsCapacity / Math.max(1, rowBytes));
                long r = 0;
                do { // a tensor of zero rows still sends one (empty) last chunk
                    long to = Math.min(t.rows(), r + rowsPerChunk);
                    ByteBuffer buf = take();
                    buf.clear();
                    t.stageRows(r, to, buf, pool);
                    buf.flip();
                    ready.put(new Chunk(t, r, to, to == t.rows(), buf));
                    r = to;
                } while (r < t.rows());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closed by the consumer: nobody is waiting any more
        } catch (RuntimeException e) {
            ready.offer(new Failure(e));
        }
    }

    /** A free buffer, allocating one while fewer than {@code buffers} exist, else waiting for a release. */
    private ByteBuffer take() throws InterruptedException {
        synchronized (this) {
            ByteBuffer b = free.poll();
            if (b == null && allocated < maxBuffers) {
                allocated++;
                b = ByteBuffer.allocateDirect(bufferBytes).order(ByteOrder.nativeOrder());
            }
            if (b != null) {
                noteInUse();
                return b;
            }
        }
        ByteBuffer b = free.take();
        synchronized (this) {
            noteInUse();
        }
        return b;
    }

    private void noteInUse() {
        inFlight++;
        peakInFlight = Math.max(peakInFlight, inFlight);
    }

    /** The next chunk in checkpoint order; blocks until the producer has staged it. Rethrows a read error. */
    Chunk next() {
        Object o;
        try {
            o = ready.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading", e);
        }
        if (o instanceof Failure f) {
            throw f.error();
        }
        return (Chunk) o;
    }

    /** Hands a chunk's buffer back to the producer; the chunk must not be used afterwards. */
    void release(Chunk c) {
        synchronized (this) {
            inFlight--;
        }
        free.offer(c.data());
    }

    /** Most buffers that were staged or in use at the same time: the host memory bound, measured. */
    synchronized int peakBuffersInUse() {
        return peakInFlight;
    }

    /** Size of each staging buffer in bytes. */
    int bufferBytes() {
        return bufferBytes;
    }

    @Override
    public void close() {
        producer.interrupt();
        try {
            producer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
