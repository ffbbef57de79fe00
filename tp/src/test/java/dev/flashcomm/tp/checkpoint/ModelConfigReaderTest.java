package dev.flashcomm.tp.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ModelConfigReaderTest {

    @Test
    void configReaderHandlesBothGenerations() {
        String v4 = "{\"architectures\":[\"LlamaForCausalLM\"],\"hidden_size\":64,\"intermediate_size\":128,"
                + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"vocab_size\":10,\"rope_theta\":500000.0,"
                + "\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":8.0,\"low_freq_factor\":1.0,"
                + "\"high_freq_factor\":4.0,\"original_max_position_embeddings\":64},\"torch_dtype\":\"bfloat16\"}";
        String v5 = "{\"architectures\":[\"Qwen3ForCausalLM\"],\"hidden_size\":64,\"intermediate_size\":128,"
                + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,\"head_dim\":48,"
                + "\"vocab_size\":10,\"rope_parameters\":{\"rope_theta\":1000000.0,\"rope_type\":\"default\"},"
                + "\"dtype\":\"float16\"}";
        ModelConfig a = ModelConfigReader.parse(JsonParser.parseString(v4).getAsJsonObject());
        assertEquals("llama3", a.ropeScaling().type());
        assertEquals(500000.0, a.ropeTheta());
        assertEquals(16, a.headDim());
        assertEquals(4, a.numKvHeads());
        assertEquals("bfloat16", a.storageDtype());
        ModelConfig b = ModelConfigReader.parse(JsonParser.parseString(v5).getAsJsonObject());
        assertEquals(DecoderFamilies.QWEN3, b.family());
        assertEquals(1_000_000.0, b.ropeTheta());
        assertEquals(48, b.headDim());
        assertEquals(true, b.qkNorm());
        assertEquals("float16", b.storageDtype());
    }

    @Test
    void eosTokenIdIsANumberOrTheFirstOfAList() {
        String base = "{\"architectures\":[\"Qwen2ForCausalLM\"],\"hidden_size\":64,\"intermediate_size\":128,"
                + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"vocab_size\":10";
        assertEquals(OptionalInt.of(7), ModelConfigReader.parse(
                JsonParser.parseString(base + ",\"eos_token_id\":7}").getAsJsonObject()).eosTokenId());
        assertEquals(OptionalInt.of(3), ModelConfigReader.parse(
                JsonParser.parseString(base + ",\"eos_token_id\":[3,9]}").getAsJsonObject()).eosTokenId());
        assertEquals(OptionalInt.empty(), ModelConfigReader.parse(
                JsonParser.parseString(base + "}").getAsJsonObject()).eosTokenId());
    }

    @Test
    void eosTokenIdMustBeAnExactIdBelowTheVocabulary() {
        String base = "{\"architectures\":[\"Qwen2ForCausalLM\"],\"hidden_size\":64,\"intermediate_size\":128,"
                + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"vocab_size\":10";
        assertEquals(OptionalInt.of(9), ModelConfigReader.parse(
                JsonParser.parseString(base + ",\"eos_token_id\":9}").getAsJsonObject()).eosTokenId());
        for (String eos : new String[] {"10", "1000000000000", "[10,1]", "-1", "2.5", "\"2\""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelConfigReader.parse(
                    JsonParser.parseString(base + ",\"eos_token_id\":" + eos + "}").getAsJsonObject()), eos);
            assertTrue(e.getMessage().startsWith("\"eos_token_id\" "), e.getMessage());
            assertTrue(e.getMessage().contains("below vocab_size 10") || e.getMessage().contains("not a number"),
                    e.getMessage());
        }
    }

    @Test
    void unsupportedRopeTypeIsRejected() {
        String json = "{\"architectures\":[\"LlamaForCausalLM\"],\"hidden_size\":64,\"intermediate_size\":128,"
                + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"vocab_size\":10,"
                + "\"rope_scaling\":{\"rope_type\":\"yarn\",\"factor\":4.0}}";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelConfigReader.parse(JsonParser.parseString(json).getAsJsonObject()));
        assertEquals("unsupported rope_scaling type 'yarn' (supported: default, linear, llama3)", e.getMessage());
    }

    @Test
    void llama3ScalingKeepsHighFrequenciesAndDividesLowOnes() {
        RopeScaling s = new RopeScaling("llama3", 8.0, 1.0, 4.0, 64);
        float[] plain = RopeScaling.NONE.inverseFrequencies(500000.0, 32);
        float[] scaled = s.inverseFrequencies(500000.0, 32);
        assertEquals(plain[0], scaled[0]); // wavelength 2*pi < 16: untouched
        assertEquals(plain[15] / 8.0, scaled[15], 1e-12); // wavelength far above 64: divided by the factor
    }
}
