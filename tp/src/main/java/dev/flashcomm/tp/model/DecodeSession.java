package dev.flashcomm.tp.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.tp.comm.Communicator;

/**
 * An incremental decode of one batch of rows on a {@link TransformerModel}: a prefill of the (left-padded) prompts,
 * then a few positions per {@link #step}, each attending to everything before it through a per-rank KV cache.
 * Every step's row-parallel partials go through the communicator exactly as a full forward's do, so a decode step's
 * small {@code [B, n, H]} all-reduces are compressed (or not) by the same rules.
 *
 * <p>Rows are aligned on the right: row b's first {@code padding[b]} slots are padding, which no real position
 * attends to, and its real tokens take positions 0, 1, ... from slot {@code padding[b]} on, as transformers does for
 * left-padded batches ({@code position_ids = cumsum(attention_mask) - 1}). A padding slot attends to itself only, so
 * its values stay finite; what it computes is never read.
 *
 * <p>The session owns the cache, whose size is fixed at start: close it after the batch.
 */
public final class DecodeSession implements AutoCloseable {

    private final TransformerModel model;
    private final KvCache cache;
    private final int[] padding;
    private final Attention attention;
    private int length;

    DecodeSession(TransformerModel model, KvCache cache, int[] padding, Attention attention) {
        this.model = model;
        this.attention = attention;
        this.cache = cache;
        this.padding = padding.clone();
    }

    /** Rows in the batch. */
    public int batch() {
        return padding.length;
    }

    /** Slots filled so far: padding and real tokens of the longest row. */
    public int length() {
        return length;
    }

    /** Slots the cache holds; {@link #length()} never exceeds it. */
    public int capacity() {
        return cache.capacity();
    }

    /** Device memory of the KV cache, in bytes (all ranks). */
    public long cacheBytes() {
        return cache.bytes();
    }

    /**
     * Runs the next {@code n} slots of every row (the prefill, then usually one token per step) and returns their
     * final hidden states {@code [B, n, H]} (after the final norm) on the primary device, owned by {@code ids}'
     * manager; {@link TransformerModel#logitsOf} turns them into logits.
     *
     * @param ids {@code [B, n]} int32 or int64 token ids (whatever is at padding slots is ignored)
     * @throws IllegalStateException when the cache has no room for {@code n} more slots
     */
    public NDArray step(NDArray ids, Communicator comm) {
        Shape shape = ids.getShape();
        if (shape.dimension() != 2 || shape.get(0) != padding.length) {
            throw new IllegalArgumentException("ids must be [" + padding.length + ", n], got " + shape);
        }
        int n = Math.toIntExact(shape.get(1));
        if (n < 1 || length + n > cache.capacity()) {
            throw new IllegalStateException(n + " more slots do not fit the KV cache (" + length + " of "
                    + cache.capacity() + " used)");
        }
        NDManager m = ids.getManager();
        NDArray hidden = model.cachedHidden(ids, comm, cache, length, positions(m, n), mask(m, n), attention);
        length += n;
        return hidden;
    }

    /** Each row's positions of slots {@code [length, length + n)}, {@code [B, n]} fp32; 0 at padding slots. */
    private NDArray positions(NDManager m, int n) {
        float[] p = new float[padding.length * n];
        for (int b = 0; b < padding.length; b++) {
            for (int i = 0; i < n; i++) {
                p[b * n + i] = Math.max(0, length + i - padding[b]);
            }
        }
        return m.create(p, new Shape(padding.length, n));
    }

    /**
     * {@code [B, 1, n, length + n]}: 0 where the query at slot {@code length + i} may see slot j (j at or before it,
     * and not padding unless it is the query itself), else -inf.
     */
    private NDArray mask(NDManager m, int n) {
        int total = length + n;
        float[] mask = new float[padding.length * n * total];
        for (int b = 0; b < padding.length; b++) {
            for (int i = 0; i < n; i++) {
                int query = length + i;
                int row = (b * n + i) * total;
                for (int j = 0; j < total; j++) {
                    boolean visible = j <= query && (j >= padding[b] || j == query);
                    mask[row + j] = visible ? 0f : Float.NEGATIVE_INFINITY;
                }
            }
        }
        NDArray out = m.create(mask, new Shape(padding.length, 1, n, total));
        return model.computeType() == DataType.FLOAT32 ? out : out.toType(model.computeType(), false);
    }

    @Override
    public void close() {
        cache.close();
    }
}
