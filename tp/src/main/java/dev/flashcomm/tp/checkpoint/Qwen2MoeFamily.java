package dev.flashcomm.tp.checkpoint;

/**
 * Qwen2-MoE (Qwen1.5-MoE-A2.7B, Qwen2-57B-A14B): Qwen2 attention with q/k/v biases ({@code qkv_bias}, true unless
 * config.json says otherwise), and a sparse block whose shared expert runs on every token behind a sigmoid gate
 * ({@code mlp.shared_expert.*}, {@code mlp.shared_expert_gate}).
 */
final class Qwen2MoeFamily extends Qwen2Family {

    Qwen2MoeFamily() {
        super("qwen2_moe", "Qwen2MoeForCausalLM");
    }

    @Override
    public AttentionFeatures attention(ConfigJson json) {
        return new AttentionFeatures(json.bool("qkv_bias", true), false, false,
                json.bool("use_sliding_window", false));
    }

    @Override
    public MoeSpec moe(ConfigJson json) {
        return qwenMoe(json, true);
    }
}
