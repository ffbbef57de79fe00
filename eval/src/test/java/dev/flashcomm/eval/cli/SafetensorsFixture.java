package dev.flashcomm.eval.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes {@code .safetensors} files byte by byte (8-byte little-endian header length, JSON header, data),
 * independently of the product's reader, so tests can build files the product must reject.
 */
final class SafetensorsFixture {

    /** One tensor as stored: dtype name, shape, raw little-endian bytes. */
    record Tensor(String dtype, long[] shape, byte[] data) {
        Tensor {
            shape = shape.clone();
            data = data.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }
    }

    private SafetensorsFixture() {
    }

    /** The tensors of a file in header order ({@code __metadata__} dropped). */
    static Map<String, Tensor> read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int headerLen = Math.toIntExact(ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
        JsonObject header = JsonParser.parseString(new String(all, 8, headerLen, StandardCharsets.UTF_8))
                .getAsJsonObject();
        int dataStart = 8 + headerLen;
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonObject t = e.getValue().getAsJsonObject();
            JsonArray dims = t.getAsJsonArray("shape");
            long[] shape = new long[dims.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = dims.get(i).getAsLong();
            }
            JsonArray offsets = t.getAsJsonArray("data_offsets");
            byte[] data = Arrays.copyOfRange(all, dataStart + offsets.get(0).getAsInt(),
                    dataStart + offsets.get(1).getAsInt());
            out.put(e.getKey(), new Tensor(t.get("dtype").getAsString(), shape, data));
        }
        return out;
    }

    /** Writes a well-formed file: tensors packed in map order, offsets computed from the data lengths. */
    static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        JsonObject header = new JsonObject();
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            header.add(e.getKey(), entry(t.dtype(), t.shape(), offset, offset + t.data().length));
            offset += t.data().length;
        }
        ByteBuffer data = ByteBuffer.allocate(Math.toIntExact(offset));
        tensors.values().forEach(t -> data.put(t.data()));
        writeRaw(file, header.toString().getBytes(StandardCharsets.UTF_8), data.array());
    }

    /** A header entry as the format spells it, for tests that hand-craft inconsistent headers. */
    static JsonObject entry(String dtype, long[] shape, long begin, long end) {
        JsonObject o = new JsonObject();
        o.addProperty("dtype", dtype);
        JsonArray dims = new JsonArray();
        for (long d : shape) {
            dims.add(d);
        }
        o.add("shape", dims);
        JsonArray offsets = new JsonArray();
        offsets.add(begin);
        offsets.add(end);
        o.add("data_offsets", offsets);
        return o;
    }

    /** Header length taken from {@code header} itself. */
    static void writeRaw(Path file, byte[] header, byte[] data) throws IOException {
        writeRaw(file, header.length, header, data);
    }

    /** Any declared header length, so a test can make it disagree with the bytes that follow. */
    static void writeRaw(Path file, long declaredHeaderLen, byte[] header, byte[] data) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(declaredHeaderLen).put(header).put(data);
        Files.write(file, buf.array());
    }

    /** {@code n} little-endian fp32 values, all equal to {@code value}. */
    static byte[] f32(int n, float value) {
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat(value);
        }
        return b.array();
    }
}
