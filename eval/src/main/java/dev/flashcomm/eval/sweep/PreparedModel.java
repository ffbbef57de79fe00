package dev.flashcomm.eval.sweep;

import dev.flashcomm.tp.checkpoint.Checkpoint;
import dev.flashcomm.tp.checkpoint.ModelConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A model of a sweep, checked and identified but not loaded: loading its weights is what the sweep defers until a
 * cell needs them.
 *
 * @param checkpoint  the opened checkpoint (config and safetensors headers, no weights): loading reuses it, so
 *                    neither is read twice
 * @param name        the MODEL column: the directory's name
 * @param identity    {@link ModelIdentity} of the directory
 * @param seqLen      the perplexity window for this model
 * @param prefixToken stands in for an empty task context when the tokenizer adds no BOS
 * @param corpusIds   tokens of each perplexity corpus (by corpus name), cut to whole windows within the limit
 */
public record PreparedModel(Checkpoint checkpoint, String name, String identity, int seqLen,
                            OptionalInt prefixToken, Map<String, int[]> corpusIds) {

    public PreparedModel {
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(prefixToken, "prefixToken");
        if (seqLen < 2) {
            throw new IllegalArgumentException("seqLen must be at least 2, got " + seqLen);
        }
        Map<String, int[]> copy = new HashMap<>();
        corpusIds.forEach((k, v) -> copy.put(k, v.clone()));
        corpusIds = Map.copyOf(copy);
    }

    public Path dir() {
        return checkpoint.dir();
    }

    public ModelConfig config() {
        return checkpoint.config();
    }

    /** The tokens of corpus {@code name}; a copy. */
    public int[] ids(String corpusName) {
        int[] ids = corpusIds.get(corpusName);
        if (ids == null) {
            throw new IllegalArgumentException("no corpus '" + corpusName + "' for model " + name);
        }
        return ids.clone();
    }

    /** Windows of corpus {@code name} this model scores. */
    public int windows(String corpusName) {
        return corpusIds.get(corpusName).length / seqLen;
    }

    @Override
    public Map<String, int[]> corpusIds() {
        Map<String, int[]> copy = new HashMap<>();
        corpusIds.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }
}
