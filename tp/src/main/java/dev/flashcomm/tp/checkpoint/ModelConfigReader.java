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

    static ModelConfig parse(JsonObject json) {
        String archName = architectureName(json);
        Architecture arch = Architecture.fromHfName(archName).orElseThrow(() -> new IllegalArgumentException(
                "unsupported architecture '" + archName + "' (supported: "
                        + String.join(", ", Architecture.supportedHfNames()) + ")"));
        String act = string(json, "hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new IllegalArgumentException("unsupported hidden_act '" + act + "' (supported: silu)");
        }
        int hidden = requiredInt(json, "hidden_size");
        int heads = requiredInt(json, "num_attention_heads");
        int kvHeads = optInt(json, "num_key_value_heads", heads);
        int headDim = optInt(json, "head_dim", heads > 0 && hidden % heads == 0 ? hidden / heads : -1);
        if (headDim <= 0) {
            throw new IllegalArgumentException("head_dim missing and hidden_size " + hidden
                    + " is not a multiple of num_attention_heads " + heads);
        }
        boolean attentionBias = bool(json, "attention_bias", false);
        boolean qkvBias = arch == Architecture.QWEN2 || attentionBias;
        boolean outputBias = arch != Architecture.QWEN2 && attentionBias;
        boolean mlpBias = bool(json, "mlp_bias", false);

        // transformers 5 moved rope_theta and the scaling rule into one rope_parameters object
        JsonObject ropeParams = object(json, "rope_parameters");
        JsonObject ropeScaling = object(json, "rope_scaling");
        double theta;
        RopeScaling scaling;
        if (ropeParams != null) {
            theta = positive(ropeParams, "rope_theta", positive(json, "rope_theta", 10000.0));
            scaling = scaling(ropeParams);
        } else {
            theta = positive(json, "rope_theta", 10000.0);
            scaling = ropeScaling == null ? RopeScaling.NONE : scaling(ropeScaling);
        }
        int window = 0;
        JsonElement sw = json.get("sliding_window");
        boolean slidingEnabled = arch == Architecture.LLAMA || bool(json, "use_sliding_window", false);
        if (slidingEnabled && sw != null && !sw.isJsonNull()) {
            window = asInt("sliding_window", sw);
            if (window < 0) { // 0 and null mean none; a negative window is no window at all
                throw new IllegalArgumentException("\"sliding_window\" must not be negative: " + shown(sw));
            }
        }
        String dtype = string(json, "torch_dtype", string(json, "dtype", "float32"));
        int vocab = requiredInt(json, "vocab_size");
        return new ModelConfig(arch, hidden, requiredInt(json, "intermediate_size"),
                requiredInt(json, "num_hidden_layers"), heads, kvHeads, headDim, vocab,
                optInt(json, "max_position_embeddings", 2048), positive(json, "rms_norm_eps", 1e-6), theta, scaling,
                bool(json, "tie_word_embeddings", false), qkvBias, outputBias, mlpBias,
                arch == Architecture.QWEN3, window, dtype, eosTokenId(json, vocab));
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
            throw new IllegalArgumentException("\"eos_token_id\" " + (text.isEmpty() ? "is not a number: " + shown(eos)
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

    private static RopeScaling scaling(JsonObject rope) {
        if (!rope.has("rope_type") && !rope.has("type") && rope.has("factor")) {
            // transformers would refuse it too; reading it as "default" would silently drop the factor
            throw new IllegalArgumentException("rope scaling has a \"factor\" but no \"rope_type\" (or \"type\")");
        }
        String type = string(rope, "rope_type", string(rope, "type", "default"));
        return new RopeScaling(type, positive(rope, "factor", 1.0), nonNegative(rope, "low_freq_factor", 0),
                nonNegative(rope, "high_freq_factor", 0), optInt(rope, "original_max_position_embeddings", 0));
    }

    private static JsonObject object(JsonObject json, String key) {
        JsonElement e = json.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonObject()) {
            throw new IllegalArgumentException("\"" + key + "\" is not an object: " + shown(e));
        }
        return e.getAsJsonObject();
    }

    private static int requiredInt(JsonObject json, String key) {
        JsonElement e = json.get(key);
        if (e == null || e.isJsonNull()) {
            throw new IllegalArgumentException("missing \"" + key + "\"");
        }
        return asInt(key, e);
    }

    private static int optInt(JsonObject json, String key, int fallback) {
        JsonElement e = json.get(key);
        return e == null || e.isJsonNull() ? fallback : asInt(key, e);
    }

    /** An exact JSON integer in int range: 64.9, 2^32+512 and "64" are refused rather than truncated. */
    private static int asInt(String key, JsonElement e) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException("\"" + key + "\" is not an integer: " + shown(e));
        }
        BigDecimal v;
        try {
            v = new BigDecimal(e.getAsString()).stripTrailingZeros();
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("\"" + key + "\" is not an integer: " + shown(e));
        }
        if (v.scale() > 0) {
            throw new IllegalArgumentException("\"" + key + "\" is not an integer: " + shown(e));
        }
        // precision - scale is the number of integer digits; checked before the value is expanded
        if (v.precision() - v.scale() > 10 || v.toBigIntegerExact().bitLength() > 31) {
            throw new IllegalArgumentException("\"" + key + "\" is out of range: " + shown(e) + " (at most "
                    + Integer.MAX_VALUE + ")");
        }
        return v.intValueExact();
    }

    private static double number(JsonObject json, String key, double fallback) {
        JsonElement e = json.get(key);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException("\"" + key + "\" is not a number: " + shown(e));
        }
        double v;
        try {
            v = new BigDecimal(e.getAsString()).doubleValue();
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("\"" + key + "\" is not a number: " + shown(e));
        }
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("\"" + key + "\" is out of range: " + shown(e));
        }
        return v;
    }

    private static double positive(JsonObject json, String key, double fallback) {
        double v = number(json, key, fallback);
        if (!(v > 0)) {
            throw new IllegalArgumentException("\"" + key + "\" must be > 0, got " + v);
        }
        return v;
    }

    private static double nonNegative(JsonObject json, String key, double fallback) {
        double v = number(json, key, fallback);
        if (v < 0) {
            throw new IllegalArgumentException("\"" + key + "\" must be >= 0, got " + v);
        }
        return v;
    }

    private static boolean bool(JsonObject json, String key, boolean fallback) {
        JsonElement e = json.get(key);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new IllegalArgumentException("\"" + key + "\" is not true or false: " + shown(e));
        }
        return e.getAsBoolean();
    }

    private static String string(JsonObject json, String key, String fallback) {
        JsonElement e = json.get(key);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("\"" + key + "\" is not a string: " + shown(e));
        }
        return e.getAsString();
    }

    /** A value as JSON, cut short: enough to recognise it, never a whole nested object. */
    private static String shown(JsonElement e) {
        String s = e.toString();
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
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
