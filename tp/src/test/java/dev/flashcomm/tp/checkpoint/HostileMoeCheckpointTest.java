package dev.flashcomm.tp.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.flashcomm.tp.Fixtures;
import dev.flashcomm.tp.model.ShardPlan;
import dev.flashcomm.tp.model.TransformerModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Copies of the trained mixture-of-experts checkpoints with one sparse-block tensor missing or of the wrong shape.
 * A MoE checkpoint is hundreds of tensors, and the bad one is put late (the last layer, the last expert) so that a
 * loader checking as it goes would have uploaded most of the model first: each must fail with one
 * {@link CheckpointException} naming the file and the tensor, from {@link TransformerModel#checkWeights} without
 * reading any weight, and from {@link TransformerModel#load} with the same line before any tensor is loaded.
 */
class HostileMoeCheckpointTest {

    @TempDir
    Path tmp;

    @Test
    void aMissingExpertTensorIsNamed() throws IOException {
        String name = "model.layers.3.mlp.experts.15.down_proj.weight";
        Path dir = rewritten("qwen3-moe-tiny", Map.of(name, DROP));
        assertRefused(dir, dir.resolve("model.safetensors") + ": tensor '" + name + "' missing");
    }

    /**
     * A tensor that the header declares with another shape (its data re-written to match, so the file itself is
     * well formed). A transposed down_proj has the right number of elements: only the shape check stands between
     * it and a model that silently multiplies by the wrong matrix.
     */
    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource(delimiter = '|', value = {
        // an expert's down_proj transposed, and one of the dense MLP's width
        "model.layers.3.mlp.experts.7.down_proj.weight | 96, 256  | 256, 96",
        "model.layers.2.mlp.experts.0.down_proj.weight | 256, 512 | 256, 96",
        "model.layers.3.mlp.experts.15.gate_proj.weight | 95, 256 | 96, 256",
        // the router with one expert too few, and transposed
        "model.layers.3.mlp.gate.weight                | 15, 256  | 16, 256",
        "model.layers.0.mlp.gate.weight                | 256, 16  | 16, 256",
        // layer 1 is dense (mlp_only_layers): its MLP is checked at the dense width
        "model.layers.1.mlp.down_proj.weight           | 256, 96  | 256, 512",
    })
    void aWrongShapeIsNamedWithTheShapeConfigJsonImplies(String name, String declared, String expected)
            throws IOException {
        Path dir = rewritten("qwen3-moe-tiny", Map.of(name, dims(declared)));
        assertRefused(dir, dir.resolve("model.safetensors") + ": tensor '" + name + "' has shape "
                + Arrays.toString(dims(declared)) + ", expected " + Arrays.toString(dims(expected))
                + " from config.json");
    }

    /** Qwen2-MoE's shared expert and its one-row sigmoid gate are checked like the routed experts. */
    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource(delimiter = '|', value = {
        "model.layers.3.mlp.shared_expert_gate.weight      | 256      | 1, 256",
        "model.layers.3.mlp.shared_expert.down_proj.weight | 256, 96  | 256, 256",
    })
    void aWrongSharedExpertShapeIsNamed(String name, String declared, String expected) throws IOException {
        Path dir = rewritten("qwen2-moe-tiny", Map.of(name, dims(declared)));
        assertRefused(dir, dir.resolve("model.safetensors") + ": tensor '" + name + "' has shape "
                + Arrays.toString(dims(declared)) + ", expected " + Arrays.toString(dims(expected))
                + " from config.json");
    }

    @Test
    void aMissingSharedExpertIsNamed() throws IOException {
        String name = "model.layers.2.mlp.shared_expert.up_proj.weight";
        Path dir = rewritten("qwen2-moe-tiny", Map.of(name, DROP));
        assertRefused(dir, dir.resolve("model.safetensors") + ": tensor '" + name + "' missing");
    }

    /**
     * Mixtral is sharded: an expert that the index does not list is missing from the index, which the message
     * names (the shards are copied unchanged; the tensor is still in one of them, but nothing points to it).
     */
    @Test
    void anExpertLeftOutOfTheIndexIsNamedWithTheIndex() throws IOException {
        Path src = Fixtures.model("mixtral-tiny");
        Path dir = Files.createDirectories(tmp.resolve("mixtral-tiny"));
        try (var files = Files.list(src)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals("model.safetensors.index.json")) {
                    Files.copy(f, dir.resolve(f.getFileName()));
                }
            }
        }
        String name = "model.layers.3.block_sparse_moe.experts.7.w2.weight";
        JsonObject index = JsonParser.parseString(Files.readString(src.resolve("model.safetensors.index.json")))
                .getAsJsonObject();
        assertTrue(index.getAsJsonObject("weight_map").remove(name) != null, "the fixture lists " + name);
        Files.writeString(dir.resolve("model.safetensors.index.json"), index.toString(), StandardCharsets.UTF_8);
        assertRefused(dir, dir.resolve("model.safetensors.index.json") + ": tensor '" + name + "' missing");
    }

    /** The unchanged copy loads: the failures above are the edits', not the copying's. */
    @Test
    void anUneditedCopyIsAccepted() throws IOException {
        Path dir = rewritten("qwen3-moe-tiny", Map.of());
        Checkpoint ck = Checkpoint.open(dir);
        TransformerModel.checkWeights(ck);
        try (TransformerModel m = TransformerModel.load(ck, ShardPlan.balanced(ck.config(), 2), List.of(Device.cpu()),
                DataType.FLOAT32)) {
            assertEquals(4, m.config().numLayers());
        }
    }

    /**
     * checkWeights refuses {@code dir} with exactly {@code message}, one line; load refuses it with the same line
     * before its listener hears of a single tensor.
     */
    private static void assertRefused(Path dir, String message) {
        Checkpoint ck = Checkpoint.open(dir);
        CheckpointException checked = assertThrows(CheckpointException.class, () -> TransformerModel.checkWeights(ck));
        assertEquals(message, checked.getMessage());
        assertFalse(checked.getMessage().contains("\n"), "one line");
        List<String> loaded = new ArrayList<>();
        CheckpointException load = assertThrows(CheckpointException.class, () -> TransformerModel.load(ck,
                ShardPlan.balanced(ck.config(), 2), List.of(Device.cpu()), DataType.FLOAT32,
                (name, done, total) -> loaded.add(name)).close());
        assertEquals(message, load.getMessage());
        assertEquals(List.of(), loaded, "tensors loaded before the check failed");
    }

    /** Marks a tensor to leave out of the copy. */
    private static final long[] DROP = new long[0];

    /**
     * A copy of {@code model}'s config.json and model.safetensors in a temporary directory, its header and data
     * re-written: each tensor of {@code edits} dropped ({@link #DROP}) or re-declared with the given shape (and
     * zeros for data, so that the file stays well formed); the rest byte for byte, in the original order.
     */
    private Path rewritten(String model, Map<String, long[]> edits) throws IOException {
        Path src = Fixtures.model(model);
        Path dir = Files.createDirectories(tmp.resolve(model));
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        byte[] file = Files.readAllBytes(src.resolve("model.safetensors"));
        long headerLength = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        int dataStart = 8 + (int) headerLength;
        JsonObject header = JsonParser.parseString(new String(file, 8, (int) headerLength, StandardCharsets.UTF_8))
                .getAsJsonObject();
        for (String name : edits.keySet()) {
            assertTrue(header.has(name), model + " has no tensor " + name);
        }
        JsonObject out = new JsonObject();
        List<byte[]> data = new ArrayList<>();
        long offset = 0;
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                out.add(e.getKey(), e.getValue());
                continue;
            }
            JsonObject t = e.getValue().getAsJsonObject().deepCopy();
            JsonArray offsets = t.getAsJsonArray("data_offsets");
            long[] edit = edits.get(e.getKey());
            byte[] bytes;
            if (edit == DROP) {
                continue;
            } else if (edit != null) {
                long elements = Arrays.stream(edit).reduce(1, (a, b) -> a * b);
                long elementBytes = (offsets.get(1).getAsLong() - offsets.get(0).getAsLong())
                        / Arrays.stream(shape(t)).reduce(1, (a, b) -> a * b);
                bytes = new byte[(int) (elements * elementBytes)];
                JsonArray shape = new JsonArray();
                Arrays.stream(edit).forEach(shape::add);
                t.add("shape", shape);
            } else {
                bytes = Arrays.copyOfRange(file, dataStart + offsets.get(0).getAsInt(),
                        dataStart + offsets.get(1).getAsInt());
            }
            JsonArray newOffsets = new JsonArray();
            newOffsets.add(offset);
            newOffsets.add(offset + bytes.length);
            t.add("data_offsets", newOffsets);
            out.add(e.getKey(), t);
            data.add(bytes);
            offset += bytes.length;
        }
        byte[] json = out.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        data.forEach(b::put);
        Files.write(dir.resolve("model.safetensors"), b.array());
        return dir;
    }

    private static long[] shape(JsonObject tensor) {
        JsonArray a = tensor.getAsJsonArray("shape");
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsLong();
        }
        return out;
    }

    private static long[] dims(String csv) {
        return Arrays.stream(csv.split(",")).mapToLong(s -> Long.parseLong(s.strip())).toArray();
    }
}
