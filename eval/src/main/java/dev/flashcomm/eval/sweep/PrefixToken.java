package dev.flashcomm.eval.sweep;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.flashcomm.tp.checkpoint.CheckpointException;
import dev.flashcomm.tp.checkpoint.ModelFiles;
import dev.flashcomm.tp.tokenizer.ModelTokenizer;
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

    /**
     * @param vocabSize the model's {@code vocab_size}: an {@code eos_token_id} outside it would index past the
     *                  embedding, so it is an error naming config.json rather than a crash in the first cell
     */
    static OptionalInt of(Path modelDir, ModelTokenizer tokenizer, int vocabSize) {
        if (tokenizer.encode("").length > 0) {
            return OptionalInt.empty();
        }
        Path file = modelDir.resolve("config.json");
        JsonElement eos;
        try {
            // read as the checkpoint reader read it: confined, regular, bounded
            JsonObject config = JsonParser.parseString(ModelFiles.readText(
                    ModelFiles.member(modelDir, "config.json", null), ModelFiles.JSON_LIMIT)).getAsJsonObject();
            eos = config.get("eos_token_id");
        } catch (RuntimeException e) {
            // config.json was parsed once already; without an EOS id, empty contexts are refused with a clear error
            return OptionalInt.empty();
        }
        if (eos != null && eos.isJsonArray() && !eos.getAsJsonArray().isEmpty()) {
            eos = eos.getAsJsonArray().get(0);
        }
        if (eos == null || eos.isJsonNull()) {
            return OptionalInt.empty();
        }
        String text = eos.isJsonPrimitive() && eos.getAsJsonPrimitive().isNumber() ? eos.getAsString() : "";
        if (!text.matches("0|[1-9][0-9]{0,9}") || Long.parseLong(text) >= vocabSize) {
            throw new CheckpointException(file, "\"eos_token_id\" " + (text.isEmpty() ? "is not a number"
                    : text + " is not a token id below vocab_size " + vocabSize));
        }
        return OptionalInt.of(Integer.parseInt(text));
    }
}
