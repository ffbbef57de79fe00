package dev.flashcomm.tp.model;

import dev.flashcomm.tp.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * RMSNorm over the last axis, as transformers computes it: {@code w · x / sqrt(mean(x²) + eps)}, the statistics in
 * fp32 whatever the compute dtype (as transformers' {@code LlamaRMSNorm} upcasts: in fp16, {@code x²} overflows for
 * |x| > 256, which real checkpoints' residual streams exceed).
 */
final class RmsNorm {

    private RmsNorm() {
    }

    static NDArray apply(NDArray x, NDArray weight, float eps) {
        if (x.getDataType() != DataType.FLOAT32) {
            NDArray wide = x.toType(DataType.FLOAT32, false);
            return normalize(wide, eps).toType(x.getDataType(), false).mul(weight);
        }
        return normalize(x, eps).mul(weight);
    }

    private static NDArray normalize(NDArray x, float eps) {
        int last = x.getShape().dimension() - 1;
        NDArray meanSquare = x.square().mean(new int[] {last}, true);
        NDArray rms = meanSquare.add(Scalars.of(meanSquare, eps)).sqrt();
        return x.div(rms);
    }
}
