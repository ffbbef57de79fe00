package dev.flashcomm.tp.checkpoint;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The decoder families the forward pass implements; they differ only in biases and per-head norms. */
public enum Architecture {
    LLAMA("LlamaForCausalLM", "MistralForCausalLM"),
    QWEN2("Qwen2ForCausalLM"),
    QWEN3("Qwen3ForCausalLM");

    private final List<String> hfNames;

    Architecture(String... hfNames) {
        this.hfNames = List.of(hfNames);
    }

    public static Optional<Architecture> fromHfName(String name) {
        return Arrays.stream(values()).filter(a -> a.hfNames.contains(name)).findFirst();
    }

    public static List<String> supportedHfNames() {
        return Arrays.stream(values()).flatMap(a -> a.hfNames.stream()).toList();
    }
}
