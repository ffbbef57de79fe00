package dev.flashcomm.tp.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.flashcomm.tp.Fixtures;
import dev.flashcomm.tp.checkpoint.CheckpointException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 28: tokenizer.json files that say more than a vocabulary (items 9 and 14). */
class ModelTokenizerHostileTest {

    @TempDir
    Path tmp;

    private static final String TEXT = "One day a little fox found a red ball and ran to the park with it. ".repeat(10);

    private JsonObject tokenizer(String model) throws IOException {
        Path src = Fixtures.model(model).resolve("tokenizer.json");
        return JsonParser.parseString(Files.readString(src, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    private Path write(String name, JsonObject tok) throws IOException {
        return Files.writeString(tmp.resolve(name), tok.toString(), StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"stories260K", "llama3-tiny", "qwen2-tiny"})
    void aTruncationOrPaddingBlockInTheFileChangesNoEncoding(String model) throws IOException {
        Path plain = write("plain.json", tokenizer(model));
        JsonObject tok = tokenizer(model);
        JsonObject truncation = new JsonObject();
        truncation.addProperty("direction", "Right");
        truncation.addProperty("max_length", 16);
        truncation.addProperty("strategy", "LongestFirst");
        truncation.addProperty("stride", 0);
        tok.add("truncation", truncation);
        JsonObject padding = JsonParser.parseString("{\"strategy\": {\"Fixed\": 600}, \"direction\": \"Left\", "
                + "\"pad_to_multiple_of\": null, \"pad_id\": 0, \"pad_type_id\": 0, \"pad_token\": \"x\"}")
                .getAsJsonObject();
        tok.add("padding", padding);
        Path cut = write("truncating.json", tok);
        try (ModelTokenizer a = ModelTokenizer.load(plain); ModelTokenizer b = ModelTokenizer.load(cut)) {
            int[] ids = a.encode(TEXT);
            assertTrue(ids.length > 100, "the text is far longer than the file's max_length of 16");
            assertArrayEquals(ids, b.encode(TEXT), "neither cut at 16 nor padded to 600");
        }
    }

    @Test
    void anUnkTokenMissingFromTheVocabularyIsOneLineNamingTheFile() throws IOException {
        JsonObject tok = tokenizer("stories260K");
        tok.getAsJsonObject("model").addProperty("unk_token", "<not-in-vocab>");
        tok.getAsJsonObject("model").addProperty("byte_fallback", false);
        Path file = write("tokenizer.json", tok);
        try (ModelTokenizer t = ModelTokenizer.load(file)) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> t.encode("caf\u00e9 \u6f22"));
            assertEquals(file + ": cannot encode a text: its unk_token is not in its vocabulary (a text has a "
                    + "character the vocabulary lacks)", e.getMessage());
        }
    }
}
