package dev.flashcomm.tp.checkpoint;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalInt;

/** Reads {@code config.json} as written by transformers 4 ({@code rope_theta}, {@code rope_scaling},
 *  {@code torch_dtype}) or transformers 5 ({@code rope_parameters}, {@code dtype}). */
public final class ModelConfigReader {

    private ModelConfigReader() {
    }

    public static ModelConfig read(Path modelDir) {
        Path file = modelDir.resolve("config.json");
        JsonElement parsed;
        try {
            parsed = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, "not found (is " + modelDir + " a Hugging Face model directory?)");
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + e.getMessage());
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
            theta = number(ropeParams, "rope_theta", number(json, "rope_theta", 10000.0));
            scaling = scaling(ropeParams);
        } else {
            theta = number(json, "rope_theta", 10000.0);
            scaling = ropeScaling == null ? RopeScaling.NONE : scaling(ropeScaling);
        }
        int window = 0;
        JsonElement sw = json.get("sliding_window");
        boolean slidingEnabled = arch == Architecture.LLAMA || bool(json, "use_sliding_window", false);
        if (slidingEnabled && sw != null && !sw.isJsonNull()) {
            window = sw.getAsInt();
        }
        String dtype = string(json, "torch_dtype", string(json, "dtype", "float32"));
        return new ModelConfig(arch, hidden, requiredInt(json, "intermediate_size"),
                requiredInt(json, "num_hidden_layers"), heads, kvHeads, headDim, requiredInt(json, "vocab_size"),
                optInt(json, "max_position_embeddings", 2048), number(json, "rms_norm_eps", 1e-6), theta, scaling,
                bool(json, "tie_word_embeddings", false), qkvBias, outputBias, mlpBias,
                arch == Architecture.QWEN3, window, dtype, eosTokenId(json));
    }

    /** {@code eos_token_id}: a number, or a list whose first entry is the end-of-text token (Llama 3 Instruct). */
    private static OptionalInt eosTokenId(JsonObject json) {
        JsonElement eos = json.get("eos_token_id");
        if (eos != null && eos.isJsonArray()) {
            eos = eos.getAsJsonArray().isEmpty() ? null : eos.getAsJsonArray().get(0);
        }
        if (eos == null || eos.isJsonNull()) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(asInt("eos_token_id", eos));
    }

    private static String architectureName(JsonObject json) {
        JsonElement archs = json.get("architectures");
        if (archs == null || !archs.isJsonArray() || archs.getAsJsonArray().isEmpty()) {
            throw new IllegalArgumentException("missing \"architectures\"");
        }
        return archs.getAsJsonArray().get(0).getAsString();
    }

    private static RopeScaling scaling(JsonObject rope) {
        String type = string(rope, "rope_type", string(rope, "type", "default"));
        return new RopeScaling(type, number(rope, "factor", 1.0), number(rope, "low_freq_factor", 0),
                number(rope, "high_freq_factor", 0), optInt(rope, "original_max_position_embeddings", 0));
    }

    private static JsonObject object(JsonObject json, String key) {
        JsonElement e = json.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonObject()) {
            throw new IllegalArgumentException("\"" + key + "\" is not an object: " + e);
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

    private static int asInt(String key, JsonElement e) {
        try {
            return e.getAsInt();
        } catch (NumberFormatException | UnsupportedOperationException | IllegalStateException ex) {
            throw new IllegalArgumentException("\"" + key + "\" is not an integer: " + e);
        }
    }

    private static double number(JsonObject json, String key, double fallback) {
        JsonElement e = json.get(key);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        try {
            return e.getAsDouble();
        } catch (NumberFormatException | UnsupportedOperationException | IllegalStateException ex) {
            throw new IllegalArgumentException("\"" + key + "\" is not a number: " + e);
        }
    }

    private static boolean bool(JsonObject json, String key, boolean fallback) {
        JsonElement e = json.get(key);
        return e == null || e.isJsonNull() ? fallback : e.getAsBoolean();
    }

    private static String string(JsonObject json, String key, String fallback) {
        JsonElement e = json.get(key);
        return e == null || e.isJsonNull() ? fallback : e.getAsString();
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
