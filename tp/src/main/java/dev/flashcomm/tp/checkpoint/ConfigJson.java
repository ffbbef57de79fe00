package dev.flashcomm.tp.checkpoint;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed, validated reads of {@code config.json} fields. Every malformed value is an {@link IllegalArgumentException}
 * naming the field, which {@link ModelConfigReader} turns into one line naming the file; values are never truncated
 * or coerced (64.9, 2^32+512 and "64" are not integers).
 */
public final class ConfigJson {

    private final JsonObject json;

    public ConfigJson(JsonObject json) {
        this.json = json;
    }

    public boolean has(String key) {
        JsonElement e = json.get(key);
        return e != null && !e.isJsonNull();
    }

    public JsonElement raw(String key) {
        return json.get(key);
    }

    public int requiredInt(String key) {
        if (!has(key)) {
            throw new IllegalArgumentException("missing \"" + key + "\"");
        }
        return asInt(key, json.get(key));
    }

    public int optInt(String key, int fallback) {
        return has(key) ? asInt(key, json.get(key)) : fallback;
    }

    /** A list of integers ({@code mlp_only_layers}); absent or null is the empty list. */
    public List<Integer> intList(String key) {
        if (!has(key)) {
            return List.of();
        }
        JsonElement e = json.get(key);
        if (!e.isJsonArray()) {
            throw new IllegalArgumentException("\"" + key + "\" is not a list of integers: " + shown(e));
        }
        JsonArray a = e.getAsJsonArray();
        List<Integer> out = new ArrayList<>(a.size());
        for (JsonElement item : a) {
            out.add(asInt(key, item));
        }
        return List.copyOf(out);
    }

    /** An exact JSON integer in int range: 64.9, 2^32+512 and "64" are refused rather than truncated. */
    static int asInt(String key, JsonElement e) {
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

    public double number(String key, double fallback) {
        if (!has(key)) {
            return fallback;
        }
        JsonElement e = json.get(key);
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

    public double positive(String key, double fallback) {
        double v = number(key, fallback);
        if (!(v > 0)) {
            throw new IllegalArgumentException("\"" + key + "\" must be > 0, got " + v);
        }
        return v;
    }

    public double nonNegative(String key, double fallback) {
        double v = number(key, fallback);
        if (v < 0) {
            throw new IllegalArgumentException("\"" + key + "\" must be >= 0, got " + v);
        }
        return v;
    }

    public boolean bool(String key, boolean fallback) {
        if (!has(key)) {
            return fallback;
        }
        JsonElement e = json.get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new IllegalArgumentException("\"" + key + "\" is not true or false: " + shown(e));
        }
        return e.getAsBoolean();
    }

    public String string(String key, String fallback) {
        if (!has(key)) {
            return fallback;
        }
        JsonElement e = json.get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("\"" + key + "\" is not a string: " + shown(e));
        }
        return e.getAsString();
    }

    /** A nested object, or null when absent. */
    public ConfigJson object(String key) {
        if (!has(key)) {
            return null;
        }
        JsonElement e = json.get(key);
        if (!e.isJsonObject()) {
            throw new IllegalArgumentException("\"" + key + "\" is not an object: " + shown(e));
        }
        return new ConfigJson(e.getAsJsonObject());
    }

    /** A value as JSON, cut short: enough to recognise it, never a whole nested object. */
    static String shown(JsonElement e) {
        String s = e.toString();
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
