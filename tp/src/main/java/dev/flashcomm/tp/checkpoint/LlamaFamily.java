package dev.flashcomm.tp.checkpoint;

/** Llama and Mistral: optional {@code attention_bias} on q/k/v/o, a sliding window whenever config.json sets one. */
class LlamaFamily extends DecoderFamily {

    LlamaFamily() {
        this("llama", "LlamaForCausalLM", "MistralForCausalLM");
    }

    LlamaFamily(String id, String... hfNames) {
        super(id, hfNames);
    }

    @Override
    public AttentionFeatures attention(ConfigJson json) {
        boolean bias = json.bool("attention_bias", false);
        return new AttentionFeatures(bias, bias, false, true);
    }
}
