package dev.flashcomm.tp.checkpoint;

/** Qwen2: q/k/v always carry biases, o_proj never; the window applies only with {@code use_sliding_window}. */
class Qwen2Family extends DecoderFamily {

    Qwen2Family() {
        this("qwen2", "Qwen2ForCausalLM");
    }

    Qwen2Family(String id, String... hfNames) {
        super(id, hfNames);
    }

    @Override
    public AttentionFeatures attention(ConfigJson json) {
        return new AttentionFeatures(true, false, false, json.bool("use_sliding_window", false));
    }
}
