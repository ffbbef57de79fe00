package dev.flashcomm.tp.checkpoint;

import dev.flashcomm.quant.Half;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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

    /**
     * Parses and validates the header as the safetensors format requires, before any tensor is read: a header length
     * that fits the file, strict JSON with unique names, exact non-negative integers, known dtypes, shapes whose byte
     * size equals their {@code data_offsets} range, and ranges that are in order, contiguous and cover the data
     * section exactly. The data stays on disk until {@link #read} asks for a tensor.
     */
    public static SafetensorsFile open(Path file) {
        ModelFiles.regular(file, "");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new CheckpointException(file, "not a safetensors file (" + size + " bytes, no header)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            // the value itself is not printed: for a file that is not safetensors it is its first 8 bytes of text
            if (headerLen <= 0 || headerLen > MAX_HEADER || headerLen > size - 8) {
                throw new CheckpointException(file, "not a safetensors file: the declared header length does not "
                        + "fit the file of " + size + " bytes (or exceeds the format's 100 MB)");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
            readFully(ch, headerBuf, 8);
            String header;
            try {
                header = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(headerBuf.flip()).toString();
            } catch (CharacterCodingException e) {
                throw new CheckpointException(file, "corrupt safetensors header: not valid UTF-8");
            }
            long dataLen = size - 8 - headerLen;
            return new SafetensorsFile(file, 8 + headerLen, SafetensorsHeader.parse(file, header, dataLen));
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, "not found");
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + e.getMessage());
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
