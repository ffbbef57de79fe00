package dev.flashcomm.eval.sweep;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.flashcomm.tp.tokenizer.ModelTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * The token lm-eval conditions a continuation on when its context is empty. A tokenizer that adds a BOS (Llama)
 * needs none, since {@code encode("")} is already {@code [BOS]}; for one that adds nothing (Qwen) lm-eval falls back
 * to the end-of-text token, which is {@code eos_token_id} in {@code config.json}.
 */
final class PrefixToken {

    private PrefixToken() {
    }

    static OptionalInt of(Path modelDir, ModelTokenizer tokenizer) {
        if (tokenizer.encode("").length > 0) {
            return OptionalInt.empty();
        }
        try {
            JsonObject config = JsonParser.parseString(
                    Files.readString(modelDir.resolve("config.json"), StandardCharsets.UTF_8)).getAsJsonObject();
            JsonElement eos = config.get("eos_token_id");
            if (eos != null && eos.isJsonArray() && !eos.getAsJsonArray().isEmpty()) {
                eos = eos.getAsJsonArray().get(0);
            }
            return eos != null && eos.isJsonPrimitive() && eos.getAsJsonPrimitive().isNumber()
                    ? OptionalInt.of(eos.getAsInt()) : OptionalInt.empty();
        } catch (IOException | RuntimeException e) {
            // config.json was parsed once already; without an EOS id, empty contexts are refused with a clear error
            return OptionalInt.empty();
        }
    }
}
