package dev.flashcomm.tp.model;

/**
 * How the loader stages tensors on the host: chunks of at most {@code chunkBytes}, at most {@code buffers} of them
 * alive at once (so staging memory is bounded by {@code buffers · chunkBytes}), widened on {@code threads} threads.
 */
record LoadOptions(long chunkBytes, int buffers, int threads) {

    /** 128 MiB chunks: one fp32 MLP matrix of an 8B model is two of them, and a GPU copy that large is efficient. */
    static final long DEFAULT_CHUNK_BYTES = 128L << 20;
    static final int DEFAULT_BUFFERS = 4;

    LoadOptions {
        if (chunkBytes <= 0 || buffers < 2 || threads < 1) {
            throw new IllegalArgumentException("bad load options: chunk " + chunkBytes + " B, " + buffers
                    + " buffers, " + threads + " threads");
        }
    }

    static LoadOptions defaults() {
        return new LoadOptions(DEFAULT_CHUNK_BYTES, DEFAULT_BUFFERS, Runtime.getRuntime().availableProcessors());
    }
}
