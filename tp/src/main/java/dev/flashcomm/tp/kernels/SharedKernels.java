package dev.flashcomm.tp.kernels;

import ai.djl.ndarray.NDManager;

/**
 * The fused kernels for code that has no model to ask, the communicators: compiled once per JVM on first use (a few
 * milliseconds), held for the JVM's lifetime like DJL's engine itself, and absent (null) when libtorch cannot
 * compile them or {@code -Dflashcomm.fused=false} is set, in which case callers run their DJL ops.
 */
public final class SharedKernels {

    private SharedKernels() {
    }

    /** The shared kernels (methods that need no {@link FusedKernels.LayerFeatures}), or null. */
    public static FusedKernels orNull() {
        return Holder.KERNELS;
    }

    /** Lazy, thread-safe initialization by the class loader; the value never changes afterwards. */
    private static final class Holder {
        static final FusedKernels KERNELS = load();

        private static FusedKernels load() {
            if (!FusedKernels.enabled()) {
                return null;
            }
            try {
                return FusedKernels.load(NDManager.newBaseManager());
            } catch (UnsupportedOperationException e) {
                return null;
            }
        }
    }
}
