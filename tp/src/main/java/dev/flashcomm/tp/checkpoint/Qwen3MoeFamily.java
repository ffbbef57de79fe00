package dev.flashcomm.tp.checkpoint;

/**
 * Qwen3-MoE (Qwen3-30B-A3B, Qwen3-235B-A22B): Qwen3 attention, and a sparse block {@code mlp.gate} +
 * {@code mlp.experts.N.{gate,up,down}_proj} on the layers {@code decoder_sparse_step} and {@code mlp_only_layers}
 * choose; no shared expert.
 */
final class Qwen3MoeFamily extends Qwen3Family {

    Qwen3MoeFamily() {
        super("qwen3_moe", "Qwen3MoeForCausalLM");
    }

    @Override
    public MoeSpec moe(ConfigJson json) {
        return qwenMoe(json, false);
    }
}
