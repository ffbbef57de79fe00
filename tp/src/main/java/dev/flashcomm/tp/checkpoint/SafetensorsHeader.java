package dev.flashcomm.tp.checkpoint;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The JSON header of a safetensors file, read with a streaming reader rather than into a tree, because a tree
 * silently keeps the last of two equal names and reads {@code 64.5} or {@code 2^64} as some nearby long. Everything
 * the format requires is checked here, so nothing later trusts a number it has not seen validated.
 */
final class SafetensorsHeader {

    private static final Pattern EXACT_INTEGER = Pattern.compile("0|[1-9][0-9]*");
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);
    /** More dimensions than any real tensor has; a bound so that a hostile header cannot make us loop long. */
    private static final int MAX_RANK = 16;

    private final Path file;

    private SafetensorsHeader(Path file) {
        this.file = file;
    }

    /**
     * @param dataLen bytes after the header, which the tensors' ranges must cover exactly
     * @throws CheckpointException naming the file, and the tensor where there is one
     */
    static Map<String, SafetensorsFile.Entry> parse(Path file, String header, long dataLen) {
        return new SafetensorsHeader(file).entries(header, dataLen);
    }

    private Map<String, SafetensorsFile.Entry> entries(String header, long dataLen) {
        List<SafetensorsFile.Entry> list = new ArrayList<>();
        try (JsonReader r = new JsonReader(new StringReader(header))) {
            r.setStrictness(Strictness.STRICT);
            if (r.peek() != JsonToken.BEGIN_OBJECT) {
                throw corrupt("not a JSON object");
            }
            r.beginObject();
            Set<String> names = new HashSet<>();
            while (r.hasNext()) {
                String name = r.nextName();
                if (!names.add(name)) {
                    throw corrupt("tensor '" + ModelFiles.printable(name) + "' is listed twice");
                }
                if (name.equals("__metadata__")) {
                    metadata(r);
                } else {
                    list.add(entry(r, name));
                }
            }
            r.endObject();
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw corrupt("content after the JSON object");
            }
        } catch (IOException | IllegalStateException e) {
            // the reader's message quotes the header; say only where the syntax broke
            throw corrupt("not valid JSON");
        }
        checkLayout(list, dataLen);
        Map<String, SafetensorsFile.Entry> out = new LinkedHashMap<>();
        list.forEach(e -> out.put(e.name(), e));
        return Collections.unmodifiableMap(out);
    }

    /** {@code __metadata__} is a map of strings to strings. */
    private void metadata(JsonReader r) throws IOException {
        if (r.peek() != JsonToken.BEGIN_OBJECT) {
            throw corrupt("__metadata__ is not an object of strings");
        }
        r.beginObject();
        while (r.hasNext()) {
            r.nextName();
            if (r.peek() != JsonToken.STRING) {
                throw corrupt("__metadata__ is not an object of strings");
            }
            r.nextString();
        }
        r.endObject();
    }

    private SafetensorsFile.Entry entry(JsonReader r, String name) throws IOException {
        String shown = ModelFiles.printable(name);
        if (r.peek() != JsonToken.BEGIN_OBJECT) {
            throw corrupt("tensor '" + shown + "' is not an object");
        }
        r.beginObject();
        String dtype = null;
        long[] shape = null;
        long[] offsets = null;
        while (r.hasNext()) {
            String key = r.nextName();
            switch (key) {
                case "dtype" -> {
                    if (dtype != null || r.peek() != JsonToken.STRING) {
                        throw corrupt("tensor '" + shown + "' has a repeated or non-string dtype");
                    }
                    dtype = r.nextString();
                }
                case "shape" -> {
                    if (shape != null) {
                        throw corrupt("tensor '" + shown + "' has two shapes");
                    }
                    shape = integers(r, shown, "shape");
                }
                case "data_offsets" -> {
                    if (offsets != null) {
                        throw corrupt("tensor '" + shown + "' has two data_offsets");
                    }
                    offsets = integers(r, shown, "data_offsets");
                }
                default -> r.skipValue();
            }
        }
        r.endObject();
        if (dtype == null || shape == null || offsets == null) {
            throw corrupt("tensor '" + shown + "' lacks dtype, shape or data_offsets");
        }
        if (offsets.length != 2 || offsets[1] < offsets[0]) {
            throw corrupt("tensor '" + shown + "' data_offsets must be [begin, end] with begin <= end");
        }
        if (shape.length > MAX_RANK) {
            throw corrupt("tensor '" + shown + "' has " + shape.length + " dimensions");
        }
        int width = byteWidth(dtype);
        if (width < 0) {
            throw corrupt("tensor '" + shown + "' has unknown dtype '" + ModelFiles.printable(dtype) + "'");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(StoredTensor.elementsExact(shape), (long) width);
        } catch (ArithmeticException e) {
            throw corrupt("tensor '" + shown + "' has shape " + Arrays.toString(shape) + ", more bytes than a file "
                    + "can hold");
        }
        if (offsets[1] - offsets[0] != bytes) {
            throw corrupt("tensor '" + shown + "' has " + (offsets[1] - offsets[0]) + " bytes for shape "
                    + Arrays.toString(shape) + " of " + dtype + " (" + bytes + " expected)");
        }
        return new SafetensorsFile.Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    /** An array of exact non-negative integers that fit a long: "64.5", "-1", "1e3" and 2^64 are all refused. */
    private long[] integers(JsonReader r, String tensor, String field) throws IOException {
        if (r.peek() != JsonToken.BEGIN_ARRAY) {
            throw corrupt("tensor '" + tensor + "' " + field + " is not an array");
        }
        List<Long> values = new ArrayList<>();
        r.beginArray();
        while (r.hasNext()) {
            if (r.peek() != JsonToken.NUMBER || values.size() > MAX_RANK) {
                throw corrupt("tensor '" + tensor + "' " + field + " is not a short array of integers");
            }
            String text = r.nextString();
            if (!EXACT_INTEGER.matcher(text).matches() || text.length() > 19
                    || new BigInteger(text).compareTo(LONG_MAX) > 0) {
                throw corrupt("tensor '" + tensor + "' " + field + " holds " + (text.length() > 24
                        ? "a very long number" : text) + ", not an integer from 0 to 2^63-1");
            }
            values.add(Long.parseLong(text));
        }
        r.endArray();
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    /** The ranges, sorted, must tile the data section: from 0, without gaps or overlaps, to its end. */
    private void checkLayout(List<SafetensorsFile.Entry> entries, long dataLen) {
        List<SafetensorsFile.Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(SafetensorsFile.Entry::begin)
                .thenComparingLong(SafetensorsFile.Entry::end));
        long at = 0;
        for (SafetensorsFile.Entry e : sorted) {
            if (e.begin() != at) {
                throw corrupt("tensor '" + ModelFiles.printable(e.name()) + "' data_offsets [" + e.begin() + ", "
                        + e.end() + "] " + (e.begin() < at ? "overlap the previous tensor's bytes" : "leave a gap")
                        + " (the ranges must be contiguous)");
            }
            at = e.end();
        }
        if (at != dataLen) {
            throw corrupt("the tensors cover " + at + " bytes of a data section of " + dataLen + " bytes"
                    + (at > dataLen ? " (the file is truncated)" : " (the ranges must cover it exactly)"));
        }
    }

    /** Bytes per element of every dtype the format defines; -1 for anything else. */
    static int byteWidth(String dtype) {
        return switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL", "F8_E5M2", "F8_E4M3", "F8_E8M0" -> 1;
            default -> -1;
        };
    }

    private CheckpointException corrupt(String problem) {
        return new CheckpointException(file, "corrupt safetensors header: " + problem);
    }
}
