package dev.flashcomm.tp.model;

import dev.flashcomm.tp.kernels.FusedKernels;

/**
 * How a forward pass computes each rank's causal attention core: with libtorch's fused kernel (no score matrix in
 * memory), or explicitly as matmul, mask, softmax, matmul in blocks of at most {@code scoreBudget} scores. The two
 * agree to rounding (a fused kernel sums in a different order), not bit for bit.
 *
 * @param fused       the fused kernels, or null for the explicit core
 * @param scoreBudget attention-score elements the explicit core holds at once
 */
record Attention(FusedKernels fused, long scoreBudget) {

    Attention {
        if (scoreBudget <= 0) {
            throw new IllegalArgumentException("score budget must be positive, got " + scoreBudget);
        }
    }

    static Attention explicit(long scoreBudget) {
        return new Attention(null, scoreBudget);
    }

    boolean isFused() {
        return fused != null;
    }
}
