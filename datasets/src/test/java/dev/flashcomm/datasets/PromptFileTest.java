package dev.flashcomm.datasets;

import static dev.flashcomm.datasets.Json.j;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptFileTest {

    private static String error(Path file) {
        return assertThrows(DataException.class, () -> PromptFile.read(file)).getMessage();
    }

    @Test
    void plainTextIsOnePromptPerNonBlankLineWithTwoEscapes(@TempDir Path dir) {
        Path file = Files2.text(dir, "p.txt", "Once upon a time\r\n\n   \n  two lines\\nhere \nC:\\\\dir\\x\n");
        assertEquals(List.of("Once upon a time", "  two lines\nhere ", "C:\\dir\\x"), PromptFile.read(file));
    }

    @Test
    void jsonlIsDetectedByItsFirstLineAndKeepsPromptsExactly(@TempDir Path dir) {
        Path file = Files2.lines(dir, "p.jsonl", "", j("{'prompt': 'a\\nb ', 'id': 7}"), "", j("{'prompt': 'c'}"));
        assertEquals(List.of("a\nb ", "c"), PromptFile.read(file));
    }

    @Test
    void badLinesNameFileAndLine(@TempDir Path dir) {
        Path missing = Files2.lines(dir, "m.jsonl", j("{'prompt': 'a'}"), j("{'text': 'b'}"));
        assertEquals(missing + ":2: missing field \"prompt\"", error(missing));
        Path notJson = Files2.lines(dir, "n.jsonl", j("{'prompt': 'a'}"), "just text");
        assertEquals(notJson + ":2: bad JSON: malformed JSON at column 1", error(notJson));
        Path wrongType = Files2.lines(dir, "w.jsonl", j("{'prompt': 3}"));
        assertEquals(wrongType + ":1: field \"prompt\" must be a string, got a number", error(wrongType));
        Path empty = Files2.lines(dir, "e.jsonl", j("{'prompt': ''}"));
        assertEquals(empty + ":1: empty prompt", error(empty));
    }

    @Test
    void aLoneSurrogateIsRefusedNotReplaced(@TempDir Path dir) {
        // JSON escapes can hold half a UTF-16 pair, which no UTF-8 text can: the tokenizer would make it U+FFFD
        Path lone = Files2.lines(dir, "s.jsonl", j("{'prompt': 'ok \\ud83d'}"), j("{'prompt': 'x \\ude00 y'}"));
        assertEquals(lone + ":1: field \"prompt\" holds a lone surrogate \\ud83d at character 3: half of a UTF-16 "
                + "pair is no text", error(lone));
        Path low = Files2.lines(dir, "l.jsonl", j("{'prompt': 'x \\ude00 y'}"));
        assertEquals(low + ":1: field \"prompt\" holds a lone surrogate \\ude00 at character 2: half of a UTF-16 "
                + "pair is no text", error(low));
        Path pair = Files2.lines(dir, "p.jsonl", j("{'prompt': 'smile \\ud83d\\ude00'}"));
        assertEquals(List.of("smile \ud83d\ude00"), PromptFile.read(pair), "a whole pair is a character");
    }

    @Test
    void aFileWithoutPromptsIsAnError(@TempDir Path dir) {
        Path blank = Files2.lines(dir, "b.txt", "", "  ");
        assertEquals(blank + ": no prompts (one per line, or JSONL lines {\"prompt\": ...})", error(blank));
    }
}
