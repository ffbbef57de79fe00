package dev.flashcomm.tp.checkpoint;

import java.util.OptionalInt;

/**
 * The shape and numerics of a decoder-only checkpoint, read from {@code config.json} (both the transformers 4 and
 * the transformers 5 layout).
 *
 * @param family             decoder family
 * @param hiddenSize         H
 * @param intermediateSize   MLP width
 * @param numLayers          decoder layers
 * @param numHeads           query heads
 * @param numKvHeads         key/value heads (GQA when fewer than query heads)
 * @param headDim            per-head width (explicit in config or hidden / heads)
 * @param vocabSize          vocabulary
 * @param maxPositions       {@code max_position_embeddings}, the longest window the model was built for
 * @param rmsNormEps         RMSNorm epsilon
 * @param ropeTheta          rotary base
 * @param ropeScaling        rotary scaling rule
 * @param tiedEmbeddings     lm_head shares the embedding matrix
 * @param qkvBias            q/k/v projections carry biases (Qwen2 always; Llama/Qwen3 with {@code attention_bias})
 * @param outputBias         o_proj carries a bias (Llama/Qwen3 {@code attention_bias})
 * @param mlpBias            gate/up/down carry biases (Llama {@code mlp_bias})
 * @param qkNorm             per-head RMSNorm on queries and keys before RoPE (Qwen3)
 * @param slidingWindow      attention window, 0 when attention is global
 * @param storageDtype       dtype the checkpoint declares ({@code torch_dtype} / {@code dtype}); informational
 * @param eosTokenId         {@code eos_token_id} (the first one when it is a list); lm-eval conditions empty task
 *                           contexts on it when the tokenizer adds no BOS
 * @param moe                the sparse mixture-of-experts MLP, or null for a dense model
 */
public record ModelConfig(DecoderFamily family, int hiddenSize, int intermediateSize, int numLayers,
                          int numHeads, int numKvHeads, int headDim, int vocabSize, int maxPositions,
                          double rmsNormEps, double ropeTheta, RopeScaling ropeScaling, boolean tiedEmbeddings,
                          boolean qkvBias, boolean outputBias, boolean mlpBias, boolean qkNorm, int slidingWindow,
                          String storageDtype, OptionalInt eosTokenId, MoeSpec moe) {

    public ModelConfig {
        eosTokenId = eosTokenId == null ? OptionalInt.empty() : eosTokenId;
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numLayers);
        positive("num_attention_heads", numHeads);
        positive("num_key_value_heads", numKvHeads);
        positive("head_dim", headDim);
        positive("vocab_size", vocabSize);
        positive("max_position_embeddings", maxPositions);
        if (maxPositions < 2) {
            throw new IllegalArgumentException("max_position_embeddings must be at least 2 (one scored token), got "
                    + maxPositions);
        }
        // the projections' widths are ints throughout; a product that overflows would make wrong shapes "match"
        fitsInt("num_attention_heads * head_dim", (long) numHeads * headDim);
        fitsInt("num_key_value_heads * head_dim", (long) numKvHeads * headDim);
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + numHeads
                    + " is not a multiple of num_key_value_heads " + numKvHeads);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim " + headDim + " must be even for rotary embeddings");
        }
        if (!(rmsNormEps > 0) || !(ropeTheta > 0) || !Double.isFinite(rmsNormEps) || !Double.isFinite(ropeTheta)) {
            throw new IllegalArgumentException("rms_norm_eps and rope_theta must be finite and > 0");
        }
        if (ropeScaling == null) {
            ropeScaling = RopeScaling.NONE;
        }
        if (moe != null) {
            fitsInt("num_experts * moe_intermediate_size", (long) moe.experts() * moe.expertColumns());
            for (int l : moe.denseLayers()) {
                if (l < 0 || l >= numLayers) {
                    throw new IllegalArgumentException("mlp_only_layers lists layer " + l + ", but the model has "
                            + numLayers + " layers (0-" + (numLayers - 1) + ")");
                }
            }
        }
    }

    /** A dense model's config (no experts). */
    public ModelConfig(DecoderFamily family, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
                       int numKvHeads, int headDim, int vocabSize, int maxPositions, double rmsNormEps,
                       double ropeTheta, RopeScaling ropeScaling, boolean tiedEmbeddings, boolean qkvBias,
                       boolean outputBias, boolean mlpBias, boolean qkNorm, int slidingWindow, String storageDtype,
                       OptionalInt eosTokenId) {
        this(family, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim, vocabSize,
                maxPositions, rmsNormEps, ropeTheta, ropeScaling, tiedEmbeddings, qkvBias, outputBias, mlpBias, qkNorm,
                slidingWindow, storageDtype, eosTokenId, null);
    }

    /** Whether layer {@code layer} has a sparse mixture-of-experts block instead of the dense MLP. */
    public boolean sparseLayer(int layer) {
        return moe != null && moe.sparse(layer);
    }

    private static void fitsInt(String what, long value) {
        if (value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " = " + value + " is larger than any supported model");
        }
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be > 0, got " + value);
        }
    }

    /** Query heads that share one KV head. */
    public int groupSize() {
        return numHeads / numKvHeads;
    }

    /** Rough parameter count (every expert counted), for memory estimates. */
    public long parameterCount() {
        return parameters(false);
    }

    /**
     * Parameters one token's forward multiplies with: a sparse layer counts its router, its top-k experts and the
     * shared expert, not the experts a token skips. For FLOP estimates.
     */
    public long activeParameterCount() {
        return parameters(true);
    }

    private long parameters(boolean activeOnly) {
        long attn = (long) hiddenSize * headDim * (2L * numHeads + 2L * numKvHeads);
        long total = (long) vocabSize * hiddenSize * (tiedEmbeddings ? 1 : 2);
        for (int l = 0; l < numLayers; l++) {
            long mlp;
            if (sparseLayer(l)) {
                long experts = activeOnly ? moe.topK() : moe.experts();
                mlp = (long) hiddenSize * moe.experts()
                        + 3L * hiddenSize * (experts * moe.expertColumns() + moe.sharedColumns());
            } else {
                mlp = 3L * hiddenSize * intermediateSize;
            }
            total += attn + mlp;
        }
        return total;
    }

    /** A dense config without an {@code eos_token_id}. */
    public ModelConfig(DecoderFamily family, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
                       int numKvHeads, int headDim, int vocabSize, int maxPositions, double rmsNormEps,
                       double ropeTheta, RopeScaling ropeScaling, boolean tiedEmbeddings, boolean qkvBias,
                       boolean outputBias, boolean mlpBias, boolean qkNorm, int slidingWindow, String storageDtype) {
        this(family, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim, vocabSize,
                maxPositions, rmsNormEps, ropeTheta, ropeScaling, tiedEmbeddings, qkvBias, outputBias, mlpBias, qkNorm,
                slidingWindow, storageDtype, OptionalInt.empty(), null);
    }
}
