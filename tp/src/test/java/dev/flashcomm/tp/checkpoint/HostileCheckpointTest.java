package dev.flashcomm.tp.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Checkpoints built as an attacker would build them (issue 14): lying safetensors headers, files outside the model
 * directory, FIFOs and endless files. Each must fail with one {@link CheckpointException} naming the file and the
 * problem, before a byte of tensor data is read, and without quoting the file's content.
 */
class HostileCheckpointTest {

    private static final String NORM = "\"model.norm.weight\"";

    /**
     * Only a guard against a hang, never a speed requirement: generous enough that a loaded two-core host cannot
     * trip it (issue 21). In its own thread, because an open(2) blocked on a FIFO does not answer an interrupt, so
     * a same-thread timeout would wait with it forever instead of failing the test.
     */
    private static final long HANG_GUARD_SECONDS = 60;

    @TempDir
    Path tmp;

    /** Header {@code json} and {@code dataBytes} zero bytes of data. */
    private Path safetensors(String json, long dataBytes) throws IOException {
        Path file = tmp.resolve("model.safetensors");
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        Files.write(file, b.array());
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(8 + header.length + dataBytes); // sparse: a "huge" tensor costs no disk
        }
        return file;
    }

    private static String entry(String dtype, String shape, String offsets) {
        return "{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
    }

    private CheckpointException rejected(String json, long dataBytes) throws IOException {
        Path file = safetensors(json, dataBytes);
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafetensorsFile.open(file));
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e;
    }

    @Test
    void wellFormedHeaderIsAccepted() throws IOException {
        Path file = safetensors("{\"__metadata__\":{\"format\":\"pt\"}," + NORM + ":" + entry("F32", "[4]",
                "[0,16]") + ",\"b\":" + entry("F16", "[2,2]", "[16,24]") + "}", 24);
        SafetensorsFile f = SafetensorsFile.open(file);
        assertEquals(2, f.entries().size());
        assertEquals(4, f.read("model.norm.weight").data().length);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "overlapping offsets|{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}|24|overlap",
        "a gap between tensors|{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}}|24|gap",
        "data not covered|{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}|24|cover 8 bytes",
        "truncated file|{\"a\":{\"dtype\":\"F32\",\"shape\":[64],\"data_offsets\":[0,256]}}|16|truncated",
        "duplicate name|{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}|16|listed twice",
        "offset of 2^64|{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[18446744073709551616,"
            + "18446744073709551624]}}|8|not an integer",
        "fractional dimension|{\"a\":{\"dtype\":\"F32\",\"shape\":[64.5],\"data_offsets\":[0,256]}}|256|64.5",
        "dimension of 2^64|{\"a\":{\"dtype\":\"F32\",\"shape\":[18446744073709551616],\"data_offsets\":[0,0]}}"
            + "|0|not an integer",
        "negative dimension|{\"a\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}|16|-4",
        "exponent integer|{\"a\":{\"dtype\":\"F32\",\"shape\":[4e0],\"data_offsets\":[0,16]}}|16|4e0",
        "byte size overflow|{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,0]}}"
            + "|0|more bytes",
        "unknown dtype|{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,2]}}|2|unknown dtype",
        "size does not match shape|{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,12]}}|12|12 bytes",
        "duplicate field|{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"shape\":[2],\"data_offsets\":[0,8]}}|8|two shapes",
        "metadata not strings|{\"__metadata__\":{\"k\":1}}|0|__metadata__",
        "NaN literal|{\"a\":{\"dtype\":\"F32\",\"shape\":[NaN],\"data_offsets\":[0,0]}}|0|not valid JSON",
        "trailing content|{}{}|0|not valid JSON",
    })
    void lyingHeaderIsRejected(String what, String json, long dataBytes, String expected) throws IOException {
        CheckpointException e = rejected(json, dataBytes);
        assertTrue(e.getMessage().contains("corrupt safetensors header"), e.getMessage());
        assertTrue(e.getMessage().contains(expected), what + ": " + e.getMessage());
    }

    @Test
    void hugeDeclaredTensorFailsOnTheConfigShapeBeforeAnyRead() throws IOException {
        // F32 [536870904] is 2 GiB of (sparse) data: the header is consistent, the shape is not the config's
        Path dir = Files.createDirectories(tmp.resolve("model"));
        Files.writeString(dir.resolve("config.json"), config(""), StandardCharsets.UTF_8);
        long n = 536_870_904L;
        Path file = safetensors("{\"model.embed_tokens.weight\":" + entry("F32", "[" + n + "]", "[0," + 4 * n
                + "]") + "}", 4 * n);
        Files.move(file, dir.resolve("model.safetensors"));
        Checkpoint ck = Checkpoint.open(dir);
        long before = usedHeap();
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> ck.load("model.embed_tokens.weight", 32, 16));
        assertTrue(e.getMessage().contains("expected [32, 16] from config.json"), e.getMessage());
        assertTrue(usedHeap() - before < (256L << 20), "no tensor-sized allocation before the shape check");
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    @Test
    void headerLengthOfATextFileIsNotPrinted() throws IOException {
        Path file = tmp.resolve("passwd.safetensors");
        Files.writeString(file, "root:x:0:0:root:/root:/bin/bash\n", StandardCharsets.UTF_8);
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafetensorsFile.open(file));
        assertTrue(e.getMessage().contains("not a safetensors file"), e.getMessage());
        long firstBytes = ByteBuffer.wrap("root:x:0".getBytes(StandardCharsets.US_ASCII))
                .order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertFalse(e.getMessage().contains(Long.toString(firstBytes)), "the first 8 bytes leak: " + e.getMessage());
    }

    // ---- files outside the model directory

    private Path modelWithIndex(String shardName) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        Files.writeString(dir.resolve("config.json"), config(""), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\":{\"model.norm.weight\":"
                + new JsonPrimitive(shardName) + "}}", StandardCharsets.UTF_8);
        return dir;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"../../../../../etc/passwd", "/etc/passwd", "sub/../../outside.safetensors"})
    void indexEntryLeavingTheDirectoryIsRefused(String name) throws IOException {
        Path dir = modelWithIndex(name);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.open(dir));
        assertTrue(e.getMessage().contains("outside the model directory"), e.getMessage());
        assertFalse(e.getMessage().contains("root:"), e.getMessage());
    }

    @Test
    void indexEntryWithANulIsOneLine() throws IOException {
        Path dir = modelWithIndex("model\u0000.safetensors");
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.open(dir));
        assertTrue(e.getMessage().contains("NUL"), e.getMessage());
    }

    @Test
    void symlinkToAValidFileOutsideIsRefused() throws IOException {
        Path outside = safetensors("{" + NORM + ":" + entry("F32", "[16]", "[0,64]") + "}", 64);
        Path dir = modelWithIndex("shard.safetensors");
        Files.createSymbolicLink(dir.resolve("shard.safetensors"), outside);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.open(dir));
        assertTrue(e.getMessage().contains("resolves to a file outside the model directory"), e.getMessage());
    }

    @Test
    void hubSnapshotLinksIntoItsBlobStoreAreAccepted() throws IOException {
        Path blob = Files.createDirectories(tmp.resolve("hub/blobs")).resolve("abc123");
        Files.move(safetensors("{" + NORM + ":" + entry("F32", "[16]", "[0,64]") + "}", 64), blob);
        Path snap = Files.createDirectories(tmp.resolve("hub/snapshots/rev1"));
        Files.writeString(snap.resolve("config.json"), config(""), StandardCharsets.UTF_8);
        Files.createSymbolicLink(snap.resolve("model.safetensors"), Path.of("../../blobs/abc123"));
        assertTrue(Checkpoint.open(snap).has("model.norm.weight"));
    }

    // ---- endless and blocking files

    @Test
    @Timeout(value = HANG_GUARD_SECONDS, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
    void fifoAsWeightsOrConfigFailsInsteadOfBlocking() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("fifo"));
        Files.writeString(dir.resolve("config.json"), config(""), StandardCharsets.UTF_8);
        Path fifo = dir.resolve("model.safetensors");
        assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo unavailable");
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.open(dir));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        Files.move(fifo, dir.resolve("config.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        e = assertThrows(CheckpointException.class, () -> ModelConfigReader.read(dir));
        assertTrue(e.getMessage().contains("config.json: not a regular file"), e.getMessage());
    }

    @Test
    @Timeout(value = HANG_GUARD_SECONDS, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
    void configLinkedToDevZeroIsRefusedAtOnce() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("zero"));
        assumeTrue(Files.exists(Path.of("/dev/zero")));
        Files.createSymbolicLink(dir.resolve("config.json"), Path.of("/dev/zero"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelConfigReader.read(dir));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    }

    @Test
    void oversizedConfigIsRefused() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("big"));
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("config.json").toFile(), "rw")) {
            f.setLength(ModelFiles.JSON_LIMIT + 1);
        }
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelConfigReader.read(dir));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
    }

    /** A tiny valid Llama config (hidden 16, 2 heads, vocab 32) with {@code extra} fields spliced in. */
    static String config(String extra) {
        return "{\"architectures\":[\"LlamaForCausalLM\"],\"hidden_size\":16,\"intermediate_size\":32,"
                + "\"num_hidden_layers\":1,\"num_attention_heads\":2,\"vocab_size\":32" + extra + "}";
    }
}
