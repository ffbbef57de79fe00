package dev.flashcomm.tp.checkpoint;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.flashcomm.quant.Half;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;

/**
 * One {@code .safetensors} file, read by this class rather than by the engine: an 8-byte little-endian header length,
 * a JSON header of {@code name -> {dtype, shape, data_offsets}}, then the raw little-endian data. Reading it here lets
 * us widen BF16 in Java (the engine aborts the JVM on BF16 arrays) and validate every offset before trusting it.
 */
public final class SafetensorsFile {

    /** One entry of the header. Offsets are relative to the start of the data section. */
    public record Entry(String name, String dtype, long[] shape, long begin, long end) {
        public Entry {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        public long elements() {
            return StoredTensor.elements(shape);
        }
    }

    private static final long MAX_HEADER = 100L * 1024 * 1024;
    private static final long HOST_PIECE_ELEMENTS = 1L << 24;

    private final Path file;
    private final long dataStart;
    private final Map<String, Entry> entries;

    private SafetensorsFile(Path file, long dataStart, Map<String, Entry> entries) {
        this.file = file;
        this.dataStart = dataStart;
        this.entries = entries;
    }

    /** Parses and validates the header; the data stays on disk until {@link #read} asks for a tensor. */
    public static SafetensorsFile open(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new CheckpointException(file, "not a safetensors file (" + size + " bytes, no header)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER || headerLen > size - 8) {
                throw new CheckpointException(file, "corrupt safetensors header: header length " + headerLen
                        + " does not fit the file of " + size + " bytes");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
            readFully(ch, headerBuf, 8);
            String header = new String(headerBuf.array(), StandardCharsets.UTF_8);
            long dataLen = size - 8 - headerLen;
            return new SafetensorsFile(file, 8 + headerLen, parseHeader(file, header, dataLen));
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, "not found");
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + e.getMessage());
        }
    }

    private static Map<String, Entry> parseHeader(Path file, String header, long dataLen) {
        JsonObject json;
        try {
            json = JsonParser.parseString(header).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new CheckpointException(file, "corrupt safetensors header: not a JSON object");
        }
        Map<String, Entry> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : json.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            try {
                JsonObject t = e.getValue().getAsJsonObject();
                String dtype = t.get("dtype").getAsString();
                long[] shape = new long[t.getAsJsonArray("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = t.getAsJsonArray("shape").get(i).getAsLong();
                    if (shape[i] < 0) {
                        throw new IllegalStateException("negative dimension");
                    }
                }
                long begin = t.getAsJsonArray("data_offsets").get(0).getAsLong();
                long end = t.getAsJsonArray("data_offsets").get(1).getAsLong();
                Entry entry = new Entry(e.getKey(), dtype, shape, begin, end);
                if (begin < 0 || end < begin || end > dataLen) {
                    throw new CheckpointException(file, "corrupt safetensors header: tensor '" + e.getKey()
                            + "' data_offsets [" + begin + ", " + end + "] outside the data section of "
                            + dataLen + " bytes");
                }
                int width = byteWidth(dtype);
                if (width > 0 && (end - begin) != entry.elements() * width) {
                    throw new CheckpointException(file, "corrupt safetensors header: tensor '" + e.getKey()
                            + "' has " + (end - begin) + " bytes for shape " + Arrays.toString(shape) + " of "
                            + dtype);
                }
                out.put(e.getKey(), entry);
            } catch (NullPointerException | IllegalStateException | ClassCastException
                     | UnsupportedOperationException | IndexOutOfBoundsException | NumberFormatException ex) {
                throw new CheckpointException(file, "corrupt safetensors header: malformed entry '" + e.getKey() + "'");
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private static int byteWidth(String dtype) {
        switch (dtype) {
            case "F32":
            case "I32":
            case "U32":
                return 4;
            case "F16":
            case "BF16":
            case "I16":
            case "U16":
                return 2;
            case "F64":
            case "I64":
            case "U64":
                return 8;
            case "I8":
            case "U8":
            case "BOOL":
                return 1;
            default:
                return -1; // unknown dtypes (e.g. fp8) are rejected when read, not when listed
        }
    }

    public Path path() {
        return file;
    }

    /** Where the data section begins: after the 8-byte length and the JSON header. */
    public long dataStart() {
        return dataStart;
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    /**
     * Locates one tensor for streaming: checks that it exists and has a supported dtype, reads nothing yet.
     */
    public StoredTensor tensor(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new CheckpointException(file, "tensor '" + name + "' missing");
        }
        StoredType type = StoredType.parse(e.dtype()).orElseThrow(() -> new CheckpointException(file, "tensor '"
                + name + "' has unsupported dtype " + e.dtype() + " (supported: F32, F16, BF16)"));
        return new StoredTensor(file, name, type, e.shape(), dataStart + e.begin());
    }

    /** Reads one tensor and widens it to fp32. F32, F16 and BF16 are accepted; other dtypes are an error. */
    public HostTensor read(String name) {
        StoredTensor t = tensor(name);
        if (t.elements() > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(file, "tensor '" + name + "' too large to widen in one piece");
        }
        float[] out = new float[(int) t.elements()];
        // staged piece by piece, so a tensor of more than 2 GiB of fp32 still fits the int-indexed buffers
        long rowsPerPiece = Math.max(1, HOST_PIECE_ELEMENTS / Math.max(1, t.rowElements()));
        int at = 0;
        for (long r = 0; r < t.rows(); r += rowsPerPiece) {
            long to = Math.min(t.rows(), r + rowsPerPiece);
            int n = (int) ((to - r) * t.rowElements());
            ByteBuffer staged = ByteBuffer.allocate(n * t.type().stagedBytes()).order(ByteOrder.nativeOrder());
            t.stageRows(r, to, staged, ForkJoinPool.commonPool());
            staged.flip();
            if (t.type().stagedAsFp16()) {
                for (int i = 0; i < n; i++) {
                    out[at + i] = Half.fromFp16Bits(staged.getShort());
                }
            } else {
                staged.asFloatBuffer().get(out, at, n);
            }
            at += n;
        }
        return new HostTensor(name, out, t.shape());
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        long p = pos;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, p);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            p += n;
        }
    }
}
