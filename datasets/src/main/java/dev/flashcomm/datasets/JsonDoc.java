package dev.flashcomm.datasets;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One JSON object of a JSONL file, with typed field access whose errors name the file, line and field path.
 *
 * <p>Nested objects share the line and carry a field prefix, so a missing {@code stem} inside {@code question} is
 * reported as {@code missing field "question.stem"}.
 */
final class JsonDoc {
    /** Gson's element adapter keeps the reader's strictness; {@code JsonParser.parseReader} would force lenient. */
    private static final TypeAdapter<JsonElement> ELEMENTS = new Gson().getAdapter(JsonElement.class);
    private static final Pattern POSITION = Pattern.compile(" at line \\d+ column (\\d+)");

    private final Path file;
    private final int line;
    private final String prefix;
    private final JsonObject object;

    private JsonDoc(Path file, int line, String prefix, JsonObject object) {
        this.file = file;
        this.line = line;
        this.prefix = prefix;
        this.object = object;
    }

    /** Parses one line holding exactly one JSON object. */
    static JsonDoc parse(Path file, int line, String text) {
        JsonElement element;
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            try {
                element = ELEMENTS.read(reader);
            } catch (IOException | JsonParseException | IllegalStateException e) {
                throw DataException.at(file, line, "bad JSON: " + describe(e.getMessage()));
            }
            if (!atEnd(reader)) {
                throw DataException.at(file, line, "bad JSON: text after the end of the JSON value");
            }
        } catch (IOException e) {
            throw new IllegalStateException("closing a StringReader cannot fail", e);
        }
        if (!element.isJsonObject()) {
            throw DataException.at(file, line, "expected a JSON object, got " + kind(element));
        }
        return new JsonDoc(file, line, "", element.getAsJsonObject());
    }

    /** A strict reader throws on a second top-level value instead of reporting it, so both mean "not at end". */
    private static boolean atEnd(JsonReader reader) {
        try {
            return reader.peek() == JsonToken.END_DOCUMENT;
        } catch (IOException | IllegalStateException e) {
            return false;
        }
    }

    /**
     * Gson's messages name a line and path inside the one-line document and suggest lenient mode; the user needs the
     * column and what went wrong.
     */
    static String describe(String gsonMessage) {
        if (gsonMessage == null) {
            return "unreadable";
        }
        String message = gsonMessage;
        int see = message.indexOf("\nSee ");
        if (see >= 0) {
            message = message.substring(0, see);
        }
        Matcher at = POSITION.matcher(message);
        String column = at.find() ? " at column " + at.group(1) : "";
        String reason = (at.find(0) ? message.substring(0, at.start()) : message).strip();
        if (reason.startsWith("Use JsonReader.setStrictness")) {
            reason = "malformed JSON";
        } else if (reason.startsWith("End of input")) {
            reason = "unexpected end of line";
        }
        return reason + column;
    }

    int line() {
        return line;
    }

    DataException error(String problem) {
        return DataException.at(file, line, problem);
    }

    /** True when the field is present and not {@code null}. */
    boolean has(String key) {
        JsonElement e = object.get(key);
        return e != null && !e.isJsonNull();
    }

    boolean isObject(String key) {
        return has(key) && object.get(key).isJsonObject();
    }

    String string(String key) {
        return asString(require(key), key);
    }

    List<String> strings(String key) {
        JsonElement e = require(key);
        if (!e.isJsonArray()) {
            throw error("field \"" + path(key) + "\" must be a list of strings, got " + kind(e));
        }
        List<String> out = new ArrayList<>();
        for (JsonElement item : e.getAsJsonArray()) {
            out.add(asString(item, key + "[" + out.size() + "]"));
        }
        return out;
    }

    JsonDoc object(String key) {
        JsonElement e = require(key);
        if (!e.isJsonObject()) {
            throw error("field \"" + path(key) + "\" must be an object, got " + kind(e));
        }
        return new JsonDoc(file, line, path(key) + ".", e.getAsJsonObject());
    }

    List<JsonDoc> objects(String key) {
        JsonElement e = require(key);
        if (!e.isJsonArray()) {
            throw error("field \"" + path(key) + "\" must be a list of objects, got " + kind(e));
        }
        List<JsonDoc> out = new ArrayList<>();
        for (JsonElement item : e.getAsJsonArray()) {
            String name = path(key) + "[" + out.size() + "]";
            if (!item.isJsonObject()) {
                throw error("field \"" + name + "\" must be an object, got " + kind(item));
            }
            out.add(new JsonDoc(file, line, name + ".", item.getAsJsonObject()));
        }
        return out;
    }

    /** An integer given as a JSON number or as a string of digits (HF exports labels as strings). */
    int integer(String key) {
        JsonElement e = require(key);
        if (e.isJsonPrimitive()) {
            JsonPrimitive p = e.getAsJsonPrimitive();
            try {
                if (p.isNumber()) {
                    return new BigDecimal(p.getAsString()).intValueExact();
                }
                if (p.isString()) {
                    return Integer.parseInt(PyText.strip(p.getAsString()));
                }
            } catch (ArithmeticException | NumberFormatException ignored) {
                // reported below with the offending value
            }
        }
        throw error("field \"" + path(key) + "\" must be an integer, got " + e);
    }

    /** A boolean given as JSON {@code true}/{@code false} or as the string "true"/"false". */
    boolean bool(String key) {
        JsonElement e = require(key);
        if (e.isJsonPrimitive()) {
            JsonPrimitive p = e.getAsJsonPrimitive();
            if (p.isBoolean()) {
                return p.getAsBoolean();
            }
            if (p.isString() && (p.getAsString().equals("true") || p.getAsString().equals("false"))) {
                return Boolean.parseBoolean(p.getAsString());
            }
        }
        throw error("field \"" + path(key) + "\" must be true or false, got " + e);
    }

    /** A gold index into {@code count} choices. */
    int gold(String key, int count) {
        int gold = integer(key);
        if (gold < 0 || gold >= count) {
            throw error("field \"" + path(key) + "\" is " + gold + ", out of range for " + count + " choices (0.."
                    + (count - 1) + ")");
        }
        return gold;
    }

    /** For a line that matches none of a reader's layouts. */
    DataException unknownLayout(String expected) {
        return error("unrecognised layout: expected " + expected + ", found fields " + object.keySet());
    }

    private JsonElement require(String key) {
        if (!has(key)) {
            throw error("missing field \"" + path(key) + "\"");
        }
        return object.get(key);
    }

    private String asString(JsonElement e, String key) {
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            String s = e.getAsString();
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                boolean paired = Character.isHighSurrogate(c) ? i + 1 < s.length()
                        && Character.isLowSurrogate(s.charAt(i + 1)) : !Character.isLowSurrogate(c);
                if (!paired) {
                    // JSON's \\ud800 escape can say what UTF-8 cannot: the tokenizer would turn it into U+FFFD unseen
                    throw error("field \"" + path(key) + "\" holds a lone surrogate "
                            + String.format("\\u%04x", (int) c) + " at character " + i
                            + ": half of a UTF-16 pair is no text");
                }
                if (Character.isHighSurrogate(c)) {
                    i++;
                }
            }
            return s;
        }
        throw error("field \"" + path(key) + "\" must be a string, got " + kind(e));
    }

    private String path(String key) {
        return prefix + key;
    }

    private static String kind(JsonElement e) {
        if (e.isJsonNull()) {
            return "null";
        }
        if (e.isJsonArray()) {
            return "a list";
        }
        if (e.isJsonObject()) {
            return "an object";
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        return p.isString() ? "a string" : p.isBoolean() ? "a boolean" : "a number";
    }
}
