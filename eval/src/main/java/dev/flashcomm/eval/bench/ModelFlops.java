package dev.flashcomm.eval.bench;

import dev.flashcomm.tp.checkpoint.ModelConfig;

/**
 * Forward FLOPs per token of a decoder at a window length: 2 per multiply-add of every linear (q, k, v, o, gate, up,
 * down, lm_head) plus the attention products QKᵀ and PV over the full L×L matrix, since that is what the forward
 * executes (the causal mask is applied, not skipped). Norms, RoPE, softmax and the embedding lookup are not counted.
 */
public final class ModelFlops {

    private ModelFlops() {
    }

    public static double perToken(ModelConfig c, int seqLen) {
        double h = c.hiddenSize();
        double d = c.headDim();
        double linear = h * d * (2.0 * c.numHeads() + 2.0 * c.numKvHeads()) + 3.0 * h * c.intermediateSize();
        double attention = 2.0 * seqLen * c.numHeads() * d; // QK^T and PV: L·d multiply-adds each per head
        return 2.0 * (c.numLayers() * (linear + attention) + h * c.vocabSize());
    }
}
