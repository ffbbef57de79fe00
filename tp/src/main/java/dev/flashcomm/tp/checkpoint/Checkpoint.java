package dev.flashcomm.tp.checkpoint;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The weights of a model directory: {@code model.safetensors}, or the shards named by
 * {@code model.safetensors.index.json}. Tensors are read on demand and checked against the shape the config implies.
 */
public final class Checkpoint {

    private final Path dir;
    private final ModelConfig config;
    private final Map<String, SafetensorsFile> byTensor;

    private Checkpoint(Path dir, ModelConfig config, Map<String, SafetensorsFile> byTensor) {
        this.dir = dir;
        this.config = config;
        this.byTensor = byTensor;
    }

    public static Checkpoint open(Path modelDir) {
        if (!Files.isDirectory(modelDir)) {
            throw new CheckpointException(modelDir, "not a directory");
        }
        ModelConfig config = ModelConfigReader.read(modelDir);
        Path single = modelDir.resolve("model.safetensors");
        Path index = modelDir.resolve("model.safetensors.index.json");
        Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
        if (Files.exists(index, LinkOption.NOFOLLOW_LINKS)) {
            ModelFiles.member(modelDir, index.getFileName().toString(), null);
            Map<String, SafetensorsFile> files = new HashMap<>();
            for (Map.Entry<String, String> e : readIndex(index).entrySet()) {
                // every shard name comes from a downloaded file: confined to the directory before it is opened
                SafetensorsFile f = files.computeIfAbsent(e.getValue(),
                        n -> SafetensorsFile.open(ModelFiles.member(modelDir, n, index)));
                if (!f.entries().containsKey(e.getKey())) {
                    throw new CheckpointException(f.path(), "tensor '" + e.getKey() + "' listed in "
                            + index.getFileName() + " but missing from the file");
                }
                byTensor.put(e.getKey(), f);
            }
        } else if (Files.exists(single, LinkOption.NOFOLLOW_LINKS)) {
            SafetensorsFile f = SafetensorsFile.open(ModelFiles.member(modelDir, single.getFileName().toString(),
                    null));
            f.entries().keySet().forEach(n -> byTensor.put(n, f));
        } else {
            throw new CheckpointException(modelDir, "no model.safetensors or model.safetensors.index.json");
        }
        return new Checkpoint(modelDir, config, byTensor);
    }

    private static Map<String, String> readIndex(Path index) {
        try {
            JsonObject json = JsonParser.parseString(ModelFiles.readText(index, ModelFiles.JSON_LIMIT))
                    .getAsJsonObject();
            JsonObject map = json.getAsJsonObject("weight_map");
            if (map == null) {
                throw new CheckpointException(index, "missing \"weight_map\"");
            }
            Map<String, String> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : map.entrySet()) {
                if (!e.getValue().isJsonPrimitive() || !e.getValue().getAsJsonPrimitive().isString()) {
                    throw new CheckpointException(index, "weight_map entry '" + ModelFiles.printable(e.getKey())
                            + "' is not a file name");
                }
                out.put(e.getKey(), e.getValue().getAsString());
            }
            return out;
        } catch (JsonParseException | IllegalStateException | ClassCastException | UnsupportedOperationException e) {
            throw new CheckpointException(index, "not a valid safetensors index");
        }
    }

    public Path dir() {
        return dir;
    }

    public ModelConfig config() {
        return config;
    }

    /** The safetensors files the tensors come from, each once, sorted by file name; headers parsed, data on disk. */
    public List<SafetensorsFile> files() {
        Map<Path, SafetensorsFile> distinct = new TreeMap<>();
        byTensor.values().forEach(f -> distinct.putIfAbsent(f.path(), f));
        return List.copyOf(distinct.values());
    }

    public boolean has(String name) {
        return byTensor.containsKey(name);
    }

    /** Reads a tensor, widened to fp32, and checks its shape. */
    public HostTensor load(String name, long... expectedShape) {
        tensor(name, expectedShape); // the same checks, in the same order, as the streaming path
        return byTensor.get(name).read(name);
    }

    /**
     * Locates a tensor for streaming and checks its dtype and its shape against {@code expectedShape}; no data is
     * read. Errors are the same one-line {@link CheckpointException}s as {@link #load}'s.
     */
    public StoredTensor tensor(String name, long... expectedShape) {
        SafetensorsFile f = byTensor.get(name);
        if (f == null) {
            Path where = Files.exists(dir.resolve("model.safetensors.index.json"))
                    ? dir.resolve("model.safetensors.index.json") : dir.resolve("model.safetensors");
            throw new CheckpointException(where, "tensor '" + name + "' missing");
        }
        StoredTensor t = f.tensor(name);
        if (!Arrays.equals(t.shape(), expectedShape)) {
            throw new CheckpointException(f.path(), "tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(expectedShape) + " from config.json");
        }
        return t;
    }
}
