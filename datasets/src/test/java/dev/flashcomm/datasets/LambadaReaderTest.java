package dev.flashcomm.datasets;

import static dev.flashcomm.datasets.Json.j;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LambadaReaderTest {
    @Test
    void sharedLayoutPrefixesASpace(@TempDir Path dir) {
        Path file = Files2.lines(dir, "l.jsonl", j("{'context': 'She called her dog,', 'continuation': 'Rex'}"));
        TaskItem item = TaskLoader.load(TaskRegistry.LAMBADA_OPENAI, file, 0).get(0);
        assertEquals(List.of(new Choice("She called her dog,", " Rex", 3)), item.choices());
        assertEquals(0, item.gold());
    }

    @Test
    void originalTextSplitsOffTheLastWordAtTheLastSpace(@TempDir Path dir) {
        Path file = Files2.lines(dir, "lambada_test.jsonl",
                j("{'text': 'He said:\\n\\n\\\"Come here,\\\" and the dog came to Harlin'}"),
                j("{'text': 'ends with two  spaces  word'}"));
        List<TaskItem> items = TaskLoader.load(TaskRegistry.LAMBADA_OPENAI, file, 0);
        assertEquals(new Choice("He said:\n\n\"Come here,\" and the dog came to", " Harlin", 6),
                items.get(0).choices().get(0));
        // " ".join(text.split(" ")[:-1]) keeps the double space inside the context
        assertEquals(new Choice("ends with two  spaces ", " word", 4), items.get(1).choices().get(0));
    }

    @Test
    void textWithoutSpaceIsAnError(@TempDir Path dir) {
        Path file = Files2.lines(dir, "l.jsonl", j("{'text': 'oneword'}"));
        assertEquals(file + ":1: field \"text\" has no space before its last word", assertThrows(DataException.class,
                () -> TaskLoader.load(TaskRegistry.LAMBADA_OPENAI, file, 0)).getMessage());
    }

    @Test
    void emptyTargetIsAnErrorNotAFreeItem(@TempDir Path dir) {
        Path file = Files2.lines(dir, "l.jsonl", j("{'context': '', 'continuation': ''}"));
        assertEquals(file + ":1: the target word is empty", assertThrows(DataException.class,
                () -> TaskLoader.load(TaskRegistry.LAMBADA_OPENAI, file, 0)).getMessage());
        Path trailing = Files2.lines(dir, "t.jsonl", j("{'text': 'ends with a space '}"));
        assertEquals(trailing + ":1: the target word is empty", assertThrows(DataException.class,
                () -> TaskLoader.load(TaskRegistry.LAMBADA_OPENAI, trailing, 0)).getMessage());
    }
}
