package dev.flashcomm.tp.checkpoint;

/** Qwen3: per-head RMSNorm on queries and keys before RoPE; optional {@code attention_bias} as Llama's. */
class Qwen3Family extends DecoderFamily {

    Qwen3Family() {
        this("qwen3", "Qwen3ForCausalLM");
    }

    Qwen3Family(String id, String... hfNames) {
        super(id, hfNames);
    }

    @Override
    public AttentionFeatures attention(ConfigJson json) {
        boolean bias = json.bool("attention_bias", false);
        return new AttentionFeatures(bias, bias, true, json.bool("use_sliding_window", false));
    }
}
