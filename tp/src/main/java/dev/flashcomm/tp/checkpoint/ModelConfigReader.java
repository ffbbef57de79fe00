package dev.flashcomm.tp.checkpoint;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.OptionalInt;

/** Reads {@code config.json} as written by transformers 4 ({@code rope_theta}, {@code rope_scaling},
 *  {@code torch_dtype}) or transformers 5 ({@code rope_parameters}, {@code dtype}). */
public final class ModelConfigReader {

    private ModelConfigReader() {
    }

    public static ModelConfig read(Path modelDir) {
        Path file = modelDir.resolve("config.json");
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new CheckpointException(file, "not found (is " + modelDir + " a Hugging Face model directory?)");
        }
        JsonElement parsed;
        try {
            // strict: NaN and Infinity are not JSON, and a config is never more than a few kilobytes
            JsonReader reader = new JsonReader(new StringReader(ModelFiles.readText(
                    ModelFiles.member(modelDir, "config.json", null), ModelFiles.JSON_LIMIT)));
            reader.setStrictness(Strictness.STRICT);
            parsed = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new CheckpointException(file, "not valid JSON: content after the JSON value");
            }
        } catch (IOException e) {
            throw new CheckpointException(file, "not valid JSON: " + firstLine(e.getMessage()));
        } catch (JsonParseException e) {
            throw new CheckpointException(file, "not valid JSON: " + firstLine(syntaxProblem(e)));
        }
        if (!parsed.isJsonObject()) {
            throw new CheckpointException(file, "expected a JSON object, got "
                    + (parsed.isJsonNull() ? "nothing" : parsed.isJsonArray() ? "an array" : "a single value"));
        }
        JsonObject json = parsed.getAsJsonObject();
        try {
            return parse(json);
        } catch (IllegalArgumentException | IllegalStateException | ClassCastException
                 | UnsupportedOperationException e) {
            throw new CheckpointException(file, firstLine(e.getMessage()));
        }
    }

    static ModelConfig parse(JsonObject object) {
        ConfigJson json = new ConfigJson(object);
        String archName = architectureName(object);
        DecoderFamily family = DecoderFamilies.forHfName(archName).orElseThrow(() -> new IllegalArgumentException(
                "unsupported architecture '" + archName + "' (supported: "
                        + String.join(", ", DecoderFamilies.supportedHfNames()) + ")"));
        String act = json.string("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new IllegalArgumentException("unsupported hidden_act '" + act + "' (supported: silu)");
        }
        int hidden = json.requiredInt("hidden_size");
        int heads = json.requiredInt("num_attention_heads");
        int kvHeads = json.optInt("num_key_value_heads", heads);
        int headDim = json.optInt("head_dim", heads > 0 && hidden % heads == 0 ? hidden / heads : -1);
        if (headDim <= 0) {
            throw new IllegalArgumentException("head_dim missing and hidden_size " + hidden
                    + " is not a multiple of num_attention_heads " + heads);
        }
        DecoderFamily.AttentionFeatures attention = family.attention(json);

        // transformers 5 moved rope_theta and the scaling rule into one rope_parameters object
        ConfigJson ropeParams = json.object("rope_parameters");
        ConfigJson ropeScaling = json.object("rope_scaling");
        double theta;
        RopeScaling scaling;
        if (ropeParams != null) {
            theta = ropeParams.positive("rope_theta", json.positive("rope_theta", 10000.0));
            scaling = scaling(ropeParams);
        } else {
            theta = json.positive("rope_theta", 10000.0);
            scaling = ropeScaling == null ? RopeScaling.NONE : scaling(ropeScaling);
        }
        int window = 0;
        if (attention.slidingWindow() && json.has("sliding_window")) {
            window = ConfigJson.asInt("sliding_window", json.raw("sliding_window"));
            if (window < 0) { // 0 and null mean none; a negative window is no window at all
                throw new IllegalArgumentException("\"sliding_window\" must not be negative: "
                        + ConfigJson.shown(json.raw("sliding_window")));
            }
        }
        String dtype = json.string("torch_dtype", json.string("dtype", "float32"));
        int vocab = json.requiredInt("vocab_size");
        return new ModelConfig(family, hidden, json.requiredInt("intermediate_size"),
                json.requiredInt("num_hidden_layers"), heads, kvHeads, headDim, vocab,
                json.optInt("max_position_embeddings", 2048), json.positive("rms_norm_eps", 1e-6), theta, scaling,
                json.bool("tie_word_embeddings", false), attention.qkvBias(), attention.outputBias(),
                family.mlpBias(json), attention.qkNorm(), window, dtype, eosTokenId(object, vocab), family.moe(json));
    }

    /**
     * {@code eos_token_id}: a number, or a list whose first entry is the end-of-text token (Llama 3 Instruct). It must
     * be an exact token id below {@code vocab_size}: one outside it would index past the embedding, so it is an error
     * naming config.json rather than a crash in the first cell that conditions on it.
     */
    private static OptionalInt eosTokenId(JsonObject json, int vocabSize) {
        JsonElement eos = json.get("eos_token_id");
        if (eos != null && eos.isJsonArray()) {
            eos = eos.getAsJsonArray().isEmpty() ? null : eos.getAsJsonArray().get(0);
        }
        if (eos == null || eos.isJsonNull()) {
            return OptionalInt.empty();
        }
        String text = eos.isJsonPrimitive() && eos.getAsJsonPrimitive().isNumber() ? eos.getAsString() : "";
        // a vocab_size of 0 is refused by ModelConfig, with its own message
        if (vocabSize > 0 && (!text.matches("0|[1-9][0-9]{0,9}") || Long.parseLong(text) >= vocabSize)) {
            throw new IllegalArgumentException("\"eos_token_id\" " + (text.isEmpty() ? "is not a number: " + ConfigJson.shown(eos)
                    : text + " is not a token id below vocab_size " + vocabSize));
        }
        return OptionalInt.of(Integer.parseInt(text));
    }

    private static String architectureName(JsonObject json) {
        JsonElement archs = json.get("architectures");
        if (archs == null || !archs.isJsonArray() || archs.getAsJsonArray().isEmpty()) {
            throw new IllegalArgumentException("missing \"architectures\"");
        }
        JsonElement first = archs.getAsJsonArray().get(0);
        if (!first.isJsonPrimitive() || !first.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("\"architectures\" must list class names, got " + first);
        }
        return first.getAsString();
    }

    private static RopeScaling scaling(ConfigJson rope) {
        if (!rope.has("rope_type") && !rope.has("type") && rope.has("factor")) {
            // transformers would refuse it too; reading it as "default" would silently drop the factor
            throw new IllegalArgumentException("rope scaling has a \"factor\" but no \"rope_type\" (or \"type\")");
        }
        String type = rope.string("rope_type", rope.string("type", "default"));
        return new RopeScaling(type, rope.positive("factor", 1.0), rope.nonNegative("low_freq_factor", 0),
                rope.nonNegative("high_freq_factor", 0), rope.optInt("original_max_position_embeddings", 0));
    }

    /**
     * Gson wraps the reader's error and takes over its {@code toString()}, so the plain message ("End of input at
     * line 1 column 52 path $.x") is the cause's; the wrapper's would show a Java class name to the user.
     */
    private static String syntaxProblem(JsonParseException e) {
        Throwable cause = e.getCause();
        return cause != null && cause.getMessage() != null ? cause.getMessage() : e.getMessage();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "malformed";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
