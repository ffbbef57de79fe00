package dev.flashcomm.datasets;

import static dev.flashcomm.datasets.Json.j;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BoolqReaderTest {
    @Test
    void sharedLayout(@TempDir Path dir) {
        Path file = Files2.lines(dir, "b.jsonl",
                j("{'query': 'Passage: Cats purr.\\nQuestion: do cats purr?', 'choices': ['no', 'yes'], 'gold': 1}"));
        TaskItem item = TaskLoader.load(TaskRegistry.BOOLQ, file, 0).get(0);
        String ctx = "Passage: Cats purr.\nQuestion: do cats purr?\nAnswer:";
        assertEquals(List.of(new Choice(ctx, " no", 2), new Choice(ctx, " yes", 3)), item.choices());
        assertEquals(1, item.gold());
    }

    @Test
    void originalAndSuperGlueLayouts(@TempDir Path dir) {
        Path file = Files2.lines(dir, "dev.jsonl",
                j("{'question': 'is the sky green', 'title': 'Sky', 'answer': false, 'passage': 'The sky is blue.'}"),
                j("{'question': 'is water wet', 'passage': 'Water is wet.', 'answer': true}"),
                j("{'question': 'is it', 'passage': 'It is.', 'idx': 7, 'label': 1}"));
        List<TaskItem> items = TaskLoader.load(TaskRegistry.BOOLQ, file, 0);
        String ctx = "The sky is blue.\nQuestion: is the sky green?\nAnswer:";
        assertEquals(List.of(new Choice(ctx, " no", 2), new Choice(ctx, " yes", 3)), items.get(0).choices());
        assertEquals(List.of(0, 1, 1), items.stream().map(TaskItem::gold).toList());
    }

    @Test
    void superGluePassageKeepsItsTitleAndNoPassagePrefix(@TempDir Path dir) {
        Path file = Files2.lines(dir, "val.jsonl",
                j("{'question': 'is it wet', 'passage': 'Water -- Water is wet.', 'idx': 0, 'label': 1}"));
        TaskItem item = TaskLoader.load(TaskRegistry.BOOLQ, file, 0).get(0);
        String ctx = "Water -- Water is wet.\nQuestion: is it wet?\nAnswer:";
        assertEquals(List.of(new Choice(ctx, " no", 2), new Choice(ctx, " yes", 3)), item.choices());
        assertEquals(1, item.gold());
    }

    @Test
    void unknownLayoutListsTheLayouts(@TempDir Path dir) {
        Path file = Files2.lines(dir, "b.jsonl", j("{'question': 'q', 'label': 1}"));
        assertEquals(file + ":1: unrecognised layout: expected {query, choices, gold}, {question, passage, label}"
                + " or {question, passage, answer}, found fields [question, label]",
                assertThrows(DataException.class, () -> TaskLoader.load(TaskRegistry.BOOLQ, file, 0)).getMessage());
    }
}
