package dev.flashcomm.tp.checkpoint;

import java.util.List;
import java.util.Optional;

/** The families flashcomm runs, one line each; config.json's {@code architectures[0]} picks one. */
public final class DecoderFamilies {

    public static final DecoderFamily LLAMA = new LlamaFamily();
    public static final DecoderFamily QWEN2 = new Qwen2Family();
    public static final DecoderFamily QWEN3 = new Qwen3Family();
    public static final DecoderFamily QWEN2_MOE = new Qwen2MoeFamily();
    public static final DecoderFamily QWEN3_MOE = new Qwen3MoeFamily();
    public static final DecoderFamily MIXTRAL = new MixtralFamily();

    private static final List<DecoderFamily> ALL = List.of(LLAMA, QWEN2, QWEN3, QWEN2_MOE, QWEN3_MOE, MIXTRAL);

    private DecoderFamilies() {
    }

    public static Optional<DecoderFamily> forHfName(String name) {
        return ALL.stream().filter(f -> f.hfNames().contains(name)).findFirst();
    }

    public static List<String> supportedHfNames() {
        return ALL.stream().flatMap(f -> f.hfNames().stream()).toList();
    }
}
