package dev.flashcomm.eval.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.flashcomm.eval.sweep.TinySweep;
import dev.flashcomm.tp.tokenizer.ModelTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flashcomm generate} end to end on the bundled llama3-tiny: its JSON lines, and bad input as exit 2. */
class GenerateCommandTest {

    private static final List<String> PROMPTS = List.of("Once upon a time, there was a little girl",
            "One day, a small dog named Max", "The sun was\\nhot.");

    @TempDir
    Path tmp;

    private Path prompts() throws IOException {
        return Files.writeString(tmp.resolve("prompts.txt"), String.join("\n\n", PROMPTS) + "\n",
                StandardCharsets.UTF_8);
    }

    private static List<JsonObject> lines(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
    }

    private static int[] ints(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }

    @Test
    void writesOneLinePerPromptWithItsTokensAndText() throws IOException {
        Path model = TinySweep.model();
        Path out = tmp.resolve("gen.jsonl");
        CliRun run = CliRun.of("generate", "--model", model.toString(), "--prompts", prompts().toString(),
                "--max-new-tokens", "6", "--comm", "int4", "--batch", "2", "--out", out.toString());
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(run.out().contains("generated   3 prompt(s), 18 new tokens in"), run.transcript());
        assertTrue(run.out().contains("stopped: 3 length"), run.transcript());
        assertTrue(run.out().matches("(?s).*traffic     [0-9,]+ bytes sent by the busiest rank \\(0\\.[0-9]{3} of fp16\\).*"),
                run.transcript());
        List<JsonObject> lines = lines(out);
        assertEquals(3, lines.size());
        try (ModelTokenizer tokenizer = ModelTokenizer.load(model)) {
            for (int i = 0; i < 3; i++) {
                JsonObject line = lines.get(i);
                String prompt = PROMPTS.get(i).replace("\\n", "\n");
                assertEquals(i, line.get("index").getAsInt());
                assertEquals(prompt, line.get("prompt").getAsString());
                assertArrayEquals(tokenizer.encode(prompt), ints(line.getAsJsonArray("prompt_ids")));
                int[] newIds = ints(line.getAsJsonArray("new_ids"));
                assertEquals(6, newIds.length);
                assertEquals(tokenizer.decode(newIds), line.get("text").getAsString());
                assertEquals("length", line.get("stop_reason").getAsString());
                assertEquals(6, line.getAsJsonArray("logprobs").size());
                line.getAsJsonArray("logprobs").forEach(lp -> assertTrue(lp.getAsDouble() <= 0));
            }
        }
    }

    @Test
    void aStopStringCutsTheTextAndEndsTheGeneration() throws IOException {
        Path model = TinySweep.model();
        Path free = tmp.resolve("free.jsonl");
        Path stopped = tmp.resolve("stopped.jsonl");
        Path file = prompts();
        assertEquals(0, CliRun.of("generate", "--model", model.toString(), "--prompts", file.toString(),
                "--max-new-tokens", "12", "--out", free.toString()).exitCode());
        // the first prompt's own text, from its third character on: a stop that must trigger there
        String text = lines(free).get(0).get("text").getAsString();
        String stop = text.substring(2, 4);
        CliRun run = CliRun.of("generate", "--model", model.toString(), "--prompts", file.toString(),
                "--max-new-tokens", "12", "--stop", stop, "--out", stopped.toString());
        assertEquals(0, run.exitCode(), run.transcript());
        JsonObject first = lines(stopped).get(0);
        assertEquals("stop", first.get("stop_reason").getAsString(), first.toString());
        assertEquals(text.substring(0, text.indexOf(stop)), first.get("text").getAsString());
        assertTrue(first.getAsJsonArray("new_ids").size() < 12);
    }

    @Test
    void badPromptLinesAreOneLineNamingFileAndLine() throws IOException {
        Path file = Files.writeString(tmp.resolve("p.jsonl"), "{\"prompt\": \"a\"}\n{\"text\": \"b\"}\n");
        CliRun run = CliRun.of("generate", "--model", TinySweep.model().toString(), "--prompts", file.toString(),
                "--out", tmp.resolve("o.jsonl").toString());
        assertEquals(2, run.exitCode(), run.transcript());
        assertEquals(List.of("flashcomm: " + file + ":2: missing field \"prompt\""), run.errLines());
        assertFalse(Files.exists(tmp.resolve("o.jsonl")));
    }

    @Test
    void aPromptThatCannotFitIsBadInputBeforeTheModelLoads() throws IOException {
        CliRun run = CliRun.of("generate", "--model", TinySweep.model().toString(), "--prompts", prompts().toString(),
                "--max-new-tokens", "600", "--out", tmp.resolve("o.jsonl").toString());
        assertEquals(2, run.exitCode(), run.transcript());
        assertEquals(1, run.errLines().size(), run.transcript());
        assertTrue(run.errLines().get(0).contains("prompts.txt: prompt 1: ") && run.errLines().get(0)
                .contains("new tokens exceed max_position_embeddings 512"), run.transcript());
        assertFalse(run.out().contains("load "), run.transcript());
    }

    @Test
    void optionsThatDoNotApplyAreUsageErrors() throws IOException {
        CliRun run = CliRun.of("generate", "--model", TinySweep.model().toString(), "--prompts", prompts().toString(),
                "--batch", "auto", "--out", tmp.resolve("o.jsonl").toString());
        assertEquals(2, run.exitCode(), run.transcript());
        assertTrue(run.err().contains("--batch auto is not supported by generate"), run.transcript());
    }
}
