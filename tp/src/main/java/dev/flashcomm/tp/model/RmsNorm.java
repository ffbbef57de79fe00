package dev.flashcomm.tp.model;

import ai.djl.ndarray.NDArray;

/** RMSNorm over the last axis, as transformers computes it: {@code w · x / sqrt(mean(x²) + eps)}. */
final class RmsNorm {

    private RmsNorm() {
    }

    static NDArray apply(NDArray x, NDArray weight, float eps) {
        int last = x.getShape().dimension() - 1;
        NDArray rms = x.square().mean(new int[] {last}, true).add(eps).sqrt();
        return x.div(rms).mul(weight);
    }
}
