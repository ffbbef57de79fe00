package dev.flashcomm.tp.checkpoint;

import java.util.ArrayList;
import java.util.List;

/**
 * A decoder family: which config.json fields decide its optional parts, and what its checkpoints call each tensor.
 * Families share the pre-norm decoder layer (RMSNorm, rotary attention with grouped KV heads, a SiLU-gated MLP, dense
 * or sparse); one subclass per family says how it differs, and {@link DecoderFamilies} lists them, one line each.
 */
public abstract class DecoderFamily {

    /** The optional attention parts a checkpoint has. */
    public record AttentionFeatures(boolean qkvBias, boolean outputBias, boolean qkNorm, boolean slidingWindow) {
    }

    /**
     * What a sparse block's tensors are called below {@code model.layers.N.}: the block, its router, and an expert's
     * three projections ({@code gate_proj}/{@code up_proj}/{@code down_proj}, Mixtral's {@code w1}/{@code w3}/{@code w2}).
     */
    protected record ExpertNames(String block, String router, String gate, String up, String down) {
        static final ExpertNames QWEN = new ExpertNames("mlp", "gate", "gate_proj", "up_proj", "down_proj");
    }

    private final String id;
    private final List<String> hfNames;

    protected DecoderFamily(String id, String... hfNames) {
        this.id = id;
        this.hfNames = List.of(hfNames);
    }

    /** Short name for messages and results ({@code llama}, {@code qwen3_moe}). */
    public final String id() {
        return id;
    }

    /** The {@code architectures} class names of config.json this family reads. */
    public final List<String> hfNames() {
        return hfNames;
    }

    /** Biases, q/k norms and whether {@code sliding_window} applies, as config.json states them for this family. */
    public abstract AttentionFeatures attention(ConfigJson json);

    /** gate/up/down biases ({@code mlp_bias}, Llama's option). */
    public boolean mlpBias(ConfigJson json) {
        return json.bool("mlp_bias", false);
    }

    /** The sparse MLP of a mixture-of-experts family, or null for a dense one. */
    public MoeSpec moe(ConfigJson json) {
        return null;
    }

    protected ExpertNames expertNames() {
        return ExpertNames.QWEN;
    }

    /**
     * Every tensor layer {@code layer} reads, in the order the loader streams them: norms, attention, then the dense
     * MLP or the sparse block (router, each expert's gate/up/down, the shared expert and its gate).
     */
    public final List<LayerTensor> layerTensors(ModelConfig c, int layer) {
        String p = "model.layers." + layer + ".";
        int h = c.hiddenSize();
        int d = c.headDim();
        int qOut = c.numHeads() * d;
        int kvOut = c.numKvHeads() * d;
        List<LayerTensor> out = new ArrayList<>();
        out.add(new LayerTensor(TensorRole.INPUT_NORM, -1, p + "input_layernorm.weight", h));
        out.add(new LayerTensor(TensorRole.POST_NORM, -1, p + "post_attention_layernorm.weight", h));
        String a = p + "self_attn.";
        out.add(new LayerTensor(TensorRole.Q, -1, a + "q_proj.weight", qOut, h));
        out.add(new LayerTensor(TensorRole.K, -1, a + "k_proj.weight", kvOut, h));
        out.add(new LayerTensor(TensorRole.V, -1, a + "v_proj.weight", kvOut, h));
        out.add(new LayerTensor(TensorRole.O, -1, a + "o_proj.weight", h, qOut));
        if (c.qkvBias()) {
            out.add(new LayerTensor(TensorRole.Q_BIAS, -1, a + "q_proj.bias", qOut));
            out.add(new LayerTensor(TensorRole.K_BIAS, -1, a + "k_proj.bias", kvOut));
            out.add(new LayerTensor(TensorRole.V_BIAS, -1, a + "v_proj.bias", kvOut));
        }
        if (c.outputBias()) {
            out.add(new LayerTensor(TensorRole.O_BIAS, -1, a + "o_proj.bias", h));
        }
        if (c.qkNorm()) {
            out.add(new LayerTensor(TensorRole.Q_NORM, -1, a + "q_norm.weight", d));
            out.add(new LayerTensor(TensorRole.K_NORM, -1, a + "k_norm.weight", d));
        }
        MoeSpec moe = c.moe();
        if (moe != null && moe.sparse(layer)) {
            sparseTensors(out, p, h, moe);
        } else {
            int inter = c.intermediateSize();
            String m = p + "mlp.";
            out.add(new LayerTensor(TensorRole.GATE, -1, m + "gate_proj.weight", inter, h));
            out.add(new LayerTensor(TensorRole.UP, -1, m + "up_proj.weight", inter, h));
            out.add(new LayerTensor(TensorRole.DOWN, -1, m + "down_proj.weight", h, inter));
            if (c.mlpBias()) {
                out.add(new LayerTensor(TensorRole.GATE_BIAS, -1, m + "gate_proj.bias", inter));
                out.add(new LayerTensor(TensorRole.UP_BIAS, -1, m + "up_proj.bias", inter));
                out.add(new LayerTensor(TensorRole.DOWN_BIAS, -1, m + "down_proj.bias", h));
            }
        }
        return out;
    }

    private void sparseTensors(List<LayerTensor> out, String p, int h, MoeSpec moe) {
        ExpertNames n = expertNames();
        String block = p + n.block() + ".";
        out.add(new LayerTensor(TensorRole.ROUTER, -1, block + n.router() + ".weight", moe.experts(), h));
        int cols = moe.expertColumns();
        for (int e = 0; e < moe.experts(); e++) {
            String x = block + "experts." + e + ".";
            out.add(new LayerTensor(TensorRole.EXPERT_GATE, e, x + n.gate() + ".weight", cols, h));
            out.add(new LayerTensor(TensorRole.EXPERT_UP, e, x + n.up() + ".weight", cols, h));
            out.add(new LayerTensor(TensorRole.EXPERT_DOWN, e, x + n.down() + ".weight", h, cols));
        }
        if (moe.hasSharedExpert()) {
            int s = moe.sharedColumns();
            String x = block + "shared_expert.";
            out.add(new LayerTensor(TensorRole.SHARED_GATE, -1, x + "gate_proj.weight", s, h));
            out.add(new LayerTensor(TensorRole.SHARED_UP, -1, x + "up_proj.weight", s, h));
            out.add(new LayerTensor(TensorRole.SHARED_DOWN, -1, x + "down_proj.weight", h, s));
            out.add(new LayerTensor(TensorRole.SHARED_EXPERT_GATE, -1, block + "shared_expert_gate.weight", 1, h));
        }
    }

    /** The Qwen-style MoE fields ({@code num_experts}, {@code moe_intermediate_size}, ...). */
    protected static MoeSpec qwenMoe(ConfigJson json, boolean sharedExpert) {
        return new MoeSpec(json.requiredInt("num_experts"), json.requiredInt("num_experts_per_tok"),
                json.requiredInt("moe_intermediate_size"), json.bool("norm_topk_prob", false),
                sharedExpert ? json.optInt("shared_expert_intermediate_size", 0) : 0,
                json.optInt("decoder_sparse_step", 1), new java.util.HashSet<>(json.intList("mlp_only_layers")));
    }

    @Override
    public String toString() {
        return id;
    }
}
