package dev.flashcomm.tp.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.flashcomm.tp.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * config.json of mixture-of-experts checkpoints: the three trained models give the {@link MoeSpec} their README
 * row states, the sparse layers follow transformers' rule ({@code decoder_sparse_step}, {@code mlp_only_layers}),
 * a malformed MoE field is one line naming config.json and the field, and the parameter counts are worked out by
 * hand.
 */
class MoeConfigTest {

    /** qwen3-moe-tiny's config.json, as the tests below start from it (no shared fixtures needed). */
    private static final String QWEN3_MOE = """
            {"architectures": ["Qwen3MoeForCausalLM"], "model_type": "qwen3_moe", "hidden_size": 256,
             "head_dim": 32, "intermediate_size": 512, "moe_intermediate_size": 96, "num_experts": 16,
             "num_experts_per_tok": 4, "norm_topk_prob": true, "decoder_sparse_step": 1, "mlp_only_layers": [1],
             "num_hidden_layers": 4, "num_attention_heads": 8, "num_key_value_heads": 2, "vocab_size": 2048,
             "max_position_embeddings": 512, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
             "tie_word_embeddings": true, "hidden_act": "silu", "torch_dtype": "bfloat16"}""";

    /** mixtral-tiny's config.json, the fields that matter. */
    private static final String MIXTRAL = """
            {"architectures": ["MixtralForCausalLM"], "hidden_size": 256, "intermediate_size": 192,
             "num_local_experts": 8, "num_experts_per_tok": 2, "num_hidden_layers": 4, "num_attention_heads": 8,
             "num_key_value_heads": 2, "head_dim": 32, "vocab_size": 2048, "sliding_window": null,
             "tie_word_embeddings": false}""";

    @TempDir
    Path tmp;

    // ---- the three trained checkpoints

    @Test
    void qwen3MoeTiny() {
        ModelConfig c = ModelConfigReader.read(Fixtures.model("qwen3-moe-tiny"));
        assertEquals(DecoderFamilies.QWEN3_MOE, c.family());
        // 16 experts, top 4, 96 columns each, renormalised, no shared expert, every layer on the step but layer 1
        assertEquals(new MoeSpec(16, 4, 96, true, 0, 1, Set.of(1)), c.moe());
        assertEquals(List.of(0, 2, 3), sparseLayers(c));
        assertEquals(512, c.intermediateSize(), "layer 1's dense MLP");
        assertTrue(c.qkNorm());
        assertFalse(c.moe().hasSharedExpert());
    }

    @Test
    void qwen2MoeTiny() {
        ModelConfig c = ModelConfigReader.read(Fixtures.model("qwen2-moe-tiny"));
        assertEquals(DecoderFamilies.QWEN2_MOE, c.family());
        // 8 experts, top 2, 96 columns, not renormalised, a shared expert of 256, every layer sparse
        assertEquals(new MoeSpec(8, 2, 96, false, 256, 1, Set.of()), c.moe());
        assertEquals(List.of(0, 1, 2, 3), sparseLayers(c));
        assertTrue(c.moe().hasSharedExpert());
        assertTrue(c.qkvBias());
    }

    @Test
    void mixtralTiny() {
        ModelConfig c = ModelConfigReader.read(Fixtures.model("mixtral-tiny"));
        assertEquals(DecoderFamilies.MIXTRAL, c.family());
        // Mixtral's experts are intermediate_size wide, and its top-k is always renormalised
        assertEquals(new MoeSpec(8, 2, 192, true, 0, 1, Set.of()), c.moe());
        assertEquals(List.of(0, 1, 2, 3), sparseLayers(c));
        assertEquals(0, c.slidingWindow(), "sliding_window null: global attention");
    }

    @Test
    void denseFamiliesHaveNoMoe() {
        ModelConfig c = ModelConfigReader.parse(json(QWEN3_MOE.replace("Qwen3MoeForCausalLM", "Qwen3ForCausalLM")));
        assertNull(c.moe());
        assertEquals(List.of(), sparseLayers(c));
    }

    // ---- which layers are sparse

    @ParameterizedTest(name = "step {0}, mlp_only_layers {1}")
    @CsvSource(delimiter = '|', value = {
        // transformers' rule: layer l is sparse when (l + 1) % step == 0 and l is not in mlp_only_layers
        "1 | []     | 0, 1, 2, 3",
        "2 | []     | 1, 3",
        "2 | [3]    | 1",
        "3 | []     | 2",
        "4 | []     | 3",
        "5 | []     | ''",
        "1 | [0, 3] | 1, 2",
    })
    void sparseLayersFollowTheStepAndTheDenseList(int step, String dense, String sparse) {
        JsonObject o = json(QWEN3_MOE);
        o.addProperty("decoder_sparse_step", step);
        o.add("mlp_only_layers", JsonParser.parseString(dense));
        ModelConfig c = ModelConfigReader.parse(o);
        List<Integer> want = sparse.isEmpty() ? List.of()
                : Arrays.stream(sparse.split(",")).map(s -> Integer.parseInt(s.strip())).toList();
        assertEquals(want, sparseLayers(c));
    }

    /** The tensors each layer reads follow the same rule: a dense layer's MLP, or the router and every expert. */
    @Test
    void layerTensorsFollowTheSparseLayers() {
        JsonObject o = json(QWEN3_MOE);
        o.addProperty("decoder_sparse_step", 2);
        o.add("mlp_only_layers", JsonParser.parseString("[]"));
        ModelConfig c = ModelConfigReader.parse(o);
        Map<String, long[]> layer0 = tensors(c, 0);
        assertTrue(layer0.containsKey("model.layers.0.mlp.gate_proj.weight"));
        assertFalse(layer0.containsKey("model.layers.0.mlp.gate.weight"));
        Map<String, long[]> layer1 = tensors(c, 1);
        assertFalse(layer1.containsKey("model.layers.1.mlp.gate_proj.weight"));
        assertEquals(List.of(16L, 256L), shape(layer1, "model.layers.1.mlp.gate.weight"), "router [E, H]");
        assertEquals(List.of(96L, 256L), shape(layer1, "model.layers.1.mlp.experts.15.up_proj.weight"));
        assertEquals(List.of(256L, 96L), shape(layer1, "model.layers.1.mlp.experts.15.down_proj.weight"));
        // norms 2 + q/k/v/o 4 + q/k norms 2 + router 1 + 16 experts x 3
        assertEquals(2 + 4 + 2 + 1 + 16 * 3, layer1.size());

        ModelConfig m = ModelConfigReader.parse(json(MIXTRAL));
        Map<String, long[]> mixtral = tensors(m, 3);
        assertEquals(List.of(8L, 256L), shape(mixtral, "model.layers.3.block_sparse_moe.gate.weight"));
        assertEquals(List.of(192L, 256L), shape(mixtral, "model.layers.3.block_sparse_moe.experts.7.w1.weight"));
        assertEquals(List.of(256L, 192L), shape(mixtral, "model.layers.3.block_sparse_moe.experts.7.w2.weight"));
        assertEquals(List.of(192L, 256L), shape(mixtral, "model.layers.3.block_sparse_moe.experts.7.w3.weight"));
    }

    // ---- malformed fields: one line naming config.json and the field

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "top-k above the experts|num_experts_per_tok|17"
            + "|num_experts_per_tok must be between 1 and the number of experts (16), got 17",
        "top-k of 0|num_experts_per_tok|0|num_experts_per_tok must be between 1 and the number of experts (16), got 0",
        "a dense layer past the last|mlp_only_layers|[4]"
            + "|mlp_only_layers lists layer 4, but the model has 4 layers (0-3)",
        "a negative dense layer|mlp_only_layers|[1, -1]"
            + "|mlp_only_layers lists layer -1, but the model has 4 layers (0-3)",
        "dense layers not a list|mlp_only_layers|1|\"mlp_only_layers\" is not a list of integers: 1",
        "dense layers as an object|mlp_only_layers|{\"1\": true}"
            + "|\"mlp_only_layers\" is not a list of integers: {\"1\":true}",
        "a dense layer as a string|mlp_only_layers|[\"1\"]|\"mlp_only_layers\" is not an integer: \"1\"",
        "a fractional top-k|num_experts_per_tok|2.5|\"num_experts_per_tok\" is not an integer: 2.5",
        "a sparse step of 0|decoder_sparse_step|0|decoder_sparse_step must be > 0, got 0",
    })
    void malformedQwenMoeFieldIsOneLineNamingIt(String what, String field, String value, String expected)
            throws IOException {
        JsonObject o = json(QWEN3_MOE);
        o.add(field, JsonParser.parseString(value));
        assertRejected(o, expected);
    }

    @ParameterizedTest(name = "missing {1}")
    @CsvSource({
        "Qwen3MoeForCausalLM, num_experts",
        "Qwen3MoeForCausalLM, num_experts_per_tok",
        "Qwen3MoeForCausalLM, moe_intermediate_size",
        "Qwen2MoeForCausalLM, num_experts",
        "Qwen2MoeForCausalLM, moe_intermediate_size",
    })
    void missingQwenMoeFieldIsNamed(String architecture, String field) throws IOException {
        JsonObject o = json(QWEN3_MOE.replace("Qwen3MoeForCausalLM", architecture));
        o.remove(field);
        assertRejected(o, "missing \"" + field + "\"");
    }

    @Test
    void mixtralFieldsAreItsOwn() throws IOException {
        JsonObject missing = json(MIXTRAL);
        missing.remove("num_local_experts");
        assertRejected(missing, "missing \"num_local_experts\"");
        // Qwen's name for the field does not stand in for Mixtral's
        missing.addProperty("num_experts", 8);
        assertRejected(missing, "missing \"num_local_experts\"");
        JsonObject tooMany = json(MIXTRAL);
        tooMany.addProperty("num_experts_per_tok", 9);
        assertRejected(tooMany, "num_experts_per_tok must be between 1 and the number of experts (8), got 9");
    }

    /** Writes {@code o} as a model directory's config.json and expects exactly {@code file: expected}. */
    private void assertRejected(JsonObject o, String expected) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("m" + System.nanoTime()));
        Files.writeString(dir.resolve("config.json"), o.toString(), StandardCharsets.UTF_8);
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelConfigReader.read(dir));
        assertEquals(dir.resolve("config.json") + ": " + expected, e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    // ---- parameter counts

    /**
     * qwen3-moe-tiny by hand (norms are not counted): embeddings 2048·256 = 524,288 (tied, once); attention per
     * layer 256·32·(2·8 + 2·2) = 163,840; a sparse layer's router 256·16 = 4,096 plus 3·256·96 = 73,728 per expert;
     * layer 1's dense MLP 3·256·512 = 393,216. All experts: 524,288 + 4·163,840 + 3·(4,096 + 16·73,728) + 393,216
     * = 5,124,096. Active (top 4 of 16): 524,288 + 4·163,840 + 3·(4,096 + 4·73,728) + 393,216 = 2,469,888.
     */
    @Test
    void parameterCountsOfQwen3MoeTinyByHand() {
        ModelConfig c = ModelConfigReader.parse(json(QWEN3_MOE));
        assertEquals(5_124_096L, c.parameterCount());
        assertEquals(2_469_888L, c.activeParameterCount());
    }

    /**
     * qwen2-moe-tiny by hand: embeddings 524,288 (tied); attention 256·32·(2·8 + 2·4) = 196,608 per layer; every
     * layer sparse with a router of 256·8 = 2,048, experts of 3·256·96 = 73,728 and a shared expert of 3·256·256 =
     * 196,608 that every token runs. All: 524,288 + 4·(196,608 + 2,048 + 8·73,728 + 196,608) = 4,464,640. Active
     * (top 2 of 8, shared expert included): 524,288 + 4·(196,608 + 2,048 + 2·73,728 + 196,608) = 2,695,168.
     */
    @Test
    void parameterCountsOfQwen2MoeTinyByHand() {
        JsonObject o = json(QWEN3_MOE.replace("Qwen3MoeForCausalLM", "Qwen2MoeForCausalLM"));
        o.addProperty("num_experts", 8);
        o.addProperty("num_experts_per_tok", 2);
        o.addProperty("num_key_value_heads", 4);
        o.remove("head_dim");
        o.add("mlp_only_layers", JsonParser.parseString("[]"));
        o.addProperty("shared_expert_intermediate_size", 256);
        ModelConfig c = ModelConfigReader.parse(o);
        assertEquals(4_464_640L, c.parameterCount());
        assertEquals(2_695_168L, c.activeParameterCount());
    }

    /**
     * The count of every expert is the checkpoint's matrices, element for element, on the models whose every
     * matrix the forward multiplies by (Qwen2-MoE's one-row shared_expert_gate is left out of the rough count).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"qwen3-moe-tiny", "mixtral-tiny"})
    void parameterCountIsTheCheckpointsMatrices(String name) {
        Checkpoint ck = Checkpoint.open(Fixtures.model(name));
        long matrices = 0;
        for (SafetensorsFile f : ck.files()) {
            for (SafetensorsFile.Entry e : f.entries().values()) {
                if (e.shape().length == 2) {
                    matrices += e.elements();
                }
            }
        }
        assertEquals(matrices, ck.config().parameterCount());
        assertTrue(ck.config().activeParameterCount() < matrices / 2, "top-k of 8 or 16 is under half");
    }

    private static JsonObject json(String s) {
        return JsonParser.parseString(s).getAsJsonObject();
    }

    private static List<Integer> sparseLayers(ModelConfig c) {
        return IntStream.range(0, c.numLayers()).filter(c::sparseLayer).boxed().toList();
    }

    private static Map<String, long[]> tensors(ModelConfig c, int layer) {
        Map<String, long[]> out = new java.util.LinkedHashMap<>();
        for (LayerTensor t : c.family().layerTensors(c, layer)) {
            out.put(t.name(), t.shape());
        }
        return out;
    }

    private static List<Long> shape(Map<String, long[]> tensors, String name) {
        long[] s = tensors.get(name);
        assertTrue(s != null, "no tensor " + name + " in " + tensors.keySet());
        List<Long> out = new ArrayList<>();
        for (long d : s) {
            out.add(d);
        }
        return out;
    }
}
