package dev.flashcomm.tp.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * config.json values that used to be coerced silently (issue 14): every one is now refused with the field's name.
 */
class ConfigCoercionTest {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "2^32+512 hidden size|,\"head_dim\":8,\"hidden_size\":4294967808|\"hidden_size\" is out of range",
        "10^12 vocabulary|,\"vocab_size\":1000000000000|\"vocab_size\" is out of range",
        "fractional layers|,\"num_hidden_layers\":1.9|\"num_hidden_layers\" is not an integer: 1.9",
        "quoted integer|,\"intermediate_size\":\"abc\"|\"intermediate_size\" is not an integer",
        "infinite eps|,\"rms_norm_eps\":1e999|\"rms_norm_eps\" is out of range",
        "Infinity literal|,\"rope_theta\":Infinity|not valid JSON",
        "zero theta|,\"rope_theta\":0|\"rope_theta\" must be > 0",
        "string boolean|,\"tie_word_embeddings\":\"yes\"|\"tie_word_embeddings\" is not true or false",
        "null architecture|,\"architectures\":[null]|\"architectures\" must list class names",
        "scaling without a type|,\"rope_scaling\":{\"factor\":8.0}|no \"rope_type\"",
        "one position|,\"max_position_embeddings\":1|max_position_embeddings must be at least 2",
        "head_dim overflow|,\"head_dim\":1073741832|num_attention_heads * head_dim",
        "string dtype number|,\"torch_dtype\":16|\"torch_dtype\" is not a string",
    })
    void coercionIsRefusedNamingTheField(String what, String extra, String expected) throws IOException {
        // later fields override earlier ones in a JSON object read by Gson, so the test's value wins
        String json = HostileCheckpointTest.config("").replaceFirst("\\}$", extra + "}");
        Path file = Files.writeString(Files.createDirectories(tmp.resolve("m")).resolve("config.json"), json,
                StandardCharsets.UTF_8);
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelConfigReader.read(file.getParent()));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), what + ": " + e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"512, 512", "1e2, 100", "64.0, 64", "6.4e1, 64"})
    void integralNumbersAreReadExactly(String written, int expected) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("ok"));
        Files.writeString(dir.resolve("config.json"), HostileCheckpointTest.config(",\"max_position_embeddings\":"
                + written), StandardCharsets.UTF_8);
        assertEquals(expected, ModelConfigReader.read(dir).maxPositions());
    }
}
