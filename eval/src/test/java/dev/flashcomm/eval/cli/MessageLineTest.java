package dev.flashcomm.eval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 28, item 16: what an error line may carry of a hostile input. */
class MessageLineTest {

    @Test
    void controlCharactersAndLoneSurrogatesAreEscaped() {
        assertEquals("got \"\\u001b[31mred\\u001b[0m\\nforged\\r line\\t\\u0007\"",
                MessageLine.of("got \"\u001b[31mred\u001b[0m\nforged\r line\t\u0007\""));
        assertEquals("\\u009b2J \\u202eevil \\u2028 \\ud800 x", MessageLine.of("\u009b2J \u202eevil \u2028 \ud800 x"));
        assertEquals("caf\u00e9 \ud83d\ude00 \u6f22", MessageLine.of("caf\u00e9 \ud83d\ude00 \u6f22"),
                "text a terminal shows as text stays, a whole surrogate pair included");
    }

    @Test
    void aLongMessageKeepsItsStartAndEnd() {
        String message = "/data/mmlu.csv:2: answer must be one of A, B, C, D, got \"" + "X".repeat(200_000) + "\"";
        String line = MessageLine.of(message);
        assertTrue(line.length() < MessageLine.MAX_CHARS + 60, line.length() + " characters");
        assertTrue(line.startsWith("/data/mmlu.csv:2: answer must be one of A, B, C, D, got \"XXX"), line);
        assertTrue(line.contains(" [... " + (message.length() - 440 - 120) + " characters left out ...] "), line);
        assertTrue(line.endsWith("XXX\""), line);
    }

    @Test
    void aCutNeverSplitsASurrogatePair() {
        String message = "a".repeat(439) + "\ud83d\ude00" + "b".repeat(1000);
        String line = MessageLine.of(message);
        assertFalse(line.contains("\\ud83d"), "the pair is left out whole, not escaped in half: " + line);
    }

    @Test
    void throughTheCommandLineADataFieldIsOneShortEscapedLine(@TempDir Path tmp) throws IOException {
        Path csv = tmp.resolve("anatomy.csv");
        Files.writeString(csv, "What is 1+1?,1,2,3,4,B\nWhat is 3+3?,1,2,3,4,\"\u001b[2J" + "X".repeat(200_000)
                + "\nforged line\"\n", StandardCharsets.UTF_8);
        CliRun run = CliRun.of("sweep", "--model", StoriesFixture.original().toString(), "--comm", "int4",
                "--task-file", "mmlu_anatomy=" + csv, "--out", tmp.resolve("out").toString());
        assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run::transcript);
        assertEquals(1, run.errLines().size(), "one line, the newline in the field escaped: " + run.transcript());
        String line = run.errLines().get(0);
        assertTrue(line.startsWith("flashcomm: " + csv + ":2: answer must be one of A, B, C, D, got \"\\u001b[2J"),
                line.substring(0, 200));
        assertTrue(line.endsWith("\\nforged line\""), line);
        assertTrue(line.length() < 1000, line.length() + " characters");
        assertFalse(run.err().contains("\u001b"), "no escape character reaches the terminal");
    }
}
