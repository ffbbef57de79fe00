package dev.flashcomm.tp.checkpoint;

/**
 * Mixtral: Llama attention, and on every layer a sparse block {@code block_sparse_moe.gate} +
 * {@code block_sparse_moe.experts.N.w1/w3/w2} (gate/up/down) whose experts are {@code intermediate_size} wide; the
 * top-k probabilities are always renormalised.
 */
final class MixtralFamily extends LlamaFamily {

    private static final ExpertNames NAMES = new ExpertNames("block_sparse_moe", "gate", "w1", "w3", "w2");

    MixtralFamily() {
        super("mixtral", "MixtralForCausalLM");
    }

    @Override
    public AttentionFeatures attention(ConfigJson json) {
        return new AttentionFeatures(false, false, false, true);
    }

    @Override
    public MoeSpec moe(ConfigJson json) {
        return MoeSpec.everyLayer(json.requiredInt("num_local_experts"), json.requiredInt("num_experts_per_tok"),
                json.requiredInt("intermediate_size"), true);
    }

    @Override
    protected ExpertNames expertNames() {
        return NAMES;
    }
}
