package dev.flashcomm.tp.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.tp.comm.Site;

/**
 * Watches the residual stream of one forward pass for Inf/NaN without stalling the device: after every all-reduce
 * the largest magnitude of the hidden state is written into a small device-side buffer (Inf and NaN propagate
 * through {@code max}), and the buffer is read once, after the last layer.
 */
final class HealthLog {

    private static final Site[] SITES = Site.values();

    private final NDArray maxima;

    HealthLog(NDManager manager, int layers) {
        this.maxima = manager.zeros(new Shape((long) layers * SITES.length), DataType.FLOAT32);
    }

    /** The device-side buffer, for a fused kernel that writes {@code max|h|} into {@link #slot} itself. */
    NDArray maxima() {
        return maxima;
    }

    int slot(int layer, Site site) {
        return layer * SITES.length + site.ordinal();
    }

    void record(int layer, Site site, NDArray hidden) {
        NDArray m = hidden.abs().max();
        maxima.set(new NDIndex(slot(layer, site)),
                m.getDataType() == DataType.FLOAT32 ? m : m.toType(DataType.FLOAT32, false));
    }

    /** Reads the buffer (the one device-to-host copy) and throws for the first layer and site that was not finite. */
    void check(DataType computeType) {
        float[] m = maxima.toFloatArray();
        for (int i = 0; i < m.length; i++) {
            if (!Float.isFinite(m[i])) {
                throw new NonFiniteActivationException(i / SITES.length, SITES[i % SITES.length], m[i], computeType);
            }
        }
    }
}
