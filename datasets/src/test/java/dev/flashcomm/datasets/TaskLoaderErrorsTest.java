package dev.flashcomm.datasets;

import static dev.flashcomm.datasets.Json.j;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskLoaderErrorsTest {
    private static final String GOOD = j("{'query': 'q', 'choices': ['a', 'b'], 'gold': 1}");

    private static String message(TaskSpec spec, Path file) {
        return assertThrows(DataException.class, () -> TaskLoader.load(spec, file, 0)).getMessage();
    }

    @Test
    void malformedJsonNamesFileAndLine(@TempDir Path dir) {
        Path file = Files2.lines(dir, "copa.jsonl", GOOD, "", "{\"query\": \"q\", \"choices\": [\"a\"");
        assertEquals(file + ":3: bad JSON: unexpected end of line at column 31", message(TaskRegistry.COPA, file));
    }

    @Test
    void trailingTextAndNonObjectsAreRejected(@TempDir Path dir) {
        Path trailing = Files2.lines(dir, "t.jsonl", GOOD + " {}");
        assertEquals(trailing + ":1: bad JSON: text after the end of the JSON value", message(TaskRegistry.COPA, trailing));
        Path list = Files2.lines(dir, "l.jsonl", "[1, 2]");
        assertEquals(list + ":1: expected a JSON object, got a list", message(TaskRegistry.COPA, list));
        Path single = Files2.lines(dir, "s.jsonl", "{'query': 'q'}");
        assertEquals(single + ":1: bad JSON: malformed JSON at column 3", message(TaskRegistry.COPA, single));
    }

    @Test
    void missingFieldAndWrongType(@TempDir Path dir) {
        Path missing = Files2.lines(dir, "m.jsonl", GOOD, j("{'query': 'q', 'gold': 0}"));
        assertEquals(missing + ":2: missing field \"choices\"", message(TaskRegistry.COPA, missing));
        Path wrong = Files2.lines(dir, "w.jsonl", j("{'query': 'q', 'choices': 'ab', 'gold': 0}"));
        assertEquals(wrong + ":1: field \"choices\" must be a list of strings, got a string",
                message(TaskRegistry.ARC_EASY, wrong));
        Path fractional = Files2.lines(dir, "f.jsonl", j("{'query': 'q', 'choices': ['a', 'b'], 'gold': 0.5}"));
        assertEquals(fractional + ":1: field \"gold\" must be an integer, got 0.5", message(TaskRegistry.BOOLQ,
                fractional));
    }

    @Test
    void goldOutOfRange(@TempDir Path dir) {
        Path file = Files2.lines(dir, "g.jsonl", j("{'query': 'q', 'choices': ['a', 'b'], 'gold': 2}"));
        assertEquals(file + ":1: field \"gold\" is 2, out of range for 2 choices (0..1)",
                message(TaskRegistry.ARC_EASY, file));
        Path negative = Files2.lines(dir, "n.jsonl", j("{'query': 'q', 'choices': ['a', 'b'], 'gold': -1}"));
        assertEquals(negative + ":1: field \"gold\" is -1, out of range for 2 choices (0..1)",
                message(TaskRegistry.COPA, negative));
    }

    @Test
    void emptyOrBlankFileHasNoItems(@TempDir Path dir) {
        for (TaskSpec spec : TaskRegistry.all()) {
            Path empty = Files2.text(dir, spec.name() + ".jsonl", "");
            assertEquals(empty + ": no items", message(spec, empty), spec.name());
            Path blank = Files2.text(dir, spec.name() + ".blank", "\n  \n\r\n");
            assertEquals(blank + ": no items", message(spec, blank), spec.name());
        }
    }

    @Test
    void missingFileIsADataError(@TempDir Path dir) {
        Path file = dir.resolve("absent.jsonl");
        assertEquals(file + ": file not found", message(TaskRegistry.PIQA, file));
    }

    @Test
    void unrecognisedLayoutListsExpectedAndFoundFields(@TempDir Path dir) {
        Path file = Files2.lines(dir, "x.jsonl", j("{'prompt': 'p', 'answer': 'a'}"));
        assertEquals(file + ":1: unrecognised layout: expected {context, continuation} or {text}, found fields"
                + " [prompt, answer]", message(TaskRegistry.LAMBADA_OPENAI, file));
    }

    @Test
    void limitKeepsTheFirstItemsButEveryLineIsChecked(@TempDir Path dir) {
        Path good = Files2.lines(dir, "g.jsonl", GOOD, GOOD, GOOD);
        List<TaskItem> two = TaskLoader.load(TaskRegistry.COPA, good, 2);
        assertEquals(List.of(0, 1), two.stream().map(TaskItem::index).toList());
        // a broken line past the limit fails now, not in the next, larger run (README: "their every line")
        Path file = Files2.lines(dir, "c.jsonl", GOOD, GOOD, "not json");
        DataException e = assertThrows(DataException.class, () -> TaskLoader.load(TaskRegistry.COPA, file, 2));
        assertEquals(file + ":3: bad JSON: malformed JSON at column 1", e.getMessage());
    }

    @Test
    void aHugeLineFailsWithoutReadingItWhole(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("h.jsonl");
        Files.writeString(file, GOOD + "\n" + "x".repeat(SourceLines.MAX_LINE_CHARS + 10) + "\n" + GOOD + "\n");
        DataException e = assertThrows(DataException.class, () -> TaskLoader.load(TaskRegistry.COPA, file, 1));
        assertTrue(e.getMessage().startsWith(file + ":2: longer than "), e.getMessage());
    }

    @Test
    void specialFilesAreRefusedInsteadOfReadForever(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("f.jsonl");
        if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0) {
            assertEquals(fifo + ": not a regular file (a FIFO, socket or device); give a file",
                    message(TaskRegistry.COPA, fifo));
        }
        Path zero = Path.of("/dev/zero");
        if (Files.exists(zero)) {
            assertTrue(message(TaskRegistry.COPA, zero).contains("not a regular file"));
            DataException e = assertThrows(DataException.class, () -> TextCorpus.plainText(zero));
            assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        }
    }

    @Test
    void crlfAndBomAreTolerated(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("w.jsonl");
        Files.writeString(file, "\uFEFF" + GOOD + "\r\n" + GOOD + "\r\n");
        List<TaskItem> items = TaskLoader.load(TaskRegistry.COPA, file, 0);
        Path plain = Files2.lines(dir, "p.jsonl", GOOD, GOOD);
        assertEquals(TaskLoader.load(TaskRegistry.COPA, plain, 0), items);
    }
}
