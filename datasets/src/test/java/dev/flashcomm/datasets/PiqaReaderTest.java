package dev.flashcomm.datasets;

import static dev.flashcomm.datasets.Json.j;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PiqaReaderTest {
    private static final String JAR = j("{'goal': 'Open a jar.', 'sol1': 'Twist the lid.', 'sol2': 'Bake the lid.'}");
    private static final String PIZZA = j("{'goal': 'Cut pizza', 'sol1': 'Use a fork', 'sol2': '\uD83C\uDF55 slice'}");

    @Test
    void readsOriginalReleaseWithLabelsFileNextToIt(@TempDir Path dir) {
        Path file = Files2.lines(dir, "valid.jsonl", JAR, PIZZA);
        Files2.lines(dir, "valid-labels.lst", "0", "1");
        List<TaskItem> items = TaskLoader.load(TaskRegistry.PIQA, file, 0);

        assertEquals(2, items.size());
        TaskItem jar = items.get(0);
        assertEquals(0, jar.index());
        assertEquals(0, jar.gold());
        assertEquals(List.of(new Choice("Question: Open a jar.\nAnswer:", " Twist the lid.", 14),
                new Choice("Question: Open a jar.\nAnswer:", " Bake the lid.", 13)), jar.choices());
        TaskItem pizza = items.get(1);
        assertEquals(1, pizza.index());
        assertEquals(1, pizza.gold());
        assertEquals(" \uD83C\uDF55 slice", pizza.choices().get(1).continuation());
        assertEquals(7, pizza.choices().get(1).normLength(), "code points, like Python len()");
    }

    @Test
    void readsInlineLabelsWithoutLabelsFile(@TempDir Path dir) {
        Path file = Files2.lines(dir, "train.jsonl",
                j("{'goal': 'g', 'sol1': 'a', 'sol2': 'b', 'label': 1}"),
                "",
                j("{'goal': 'h', 'sol1': 'c', 'sol2': 'd', 'label': '0'}"));
        List<TaskItem> items = TaskLoader.load(TaskRegistry.PIQA, file, 0);
        assertEquals(List.of(1, 0), items.stream().map(TaskItem::gold).toList());
        assertEquals("Question: h\nAnswer:", items.get(1).choices().get(0).context());
    }

    @Test
    void labelsFileNameDerivesFromJsonlName() {
        assertEquals(Path.of("d", "valid-labels.lst"), PiqaReader.labelsFileFor(Path.of("d", "valid.jsonl")));
        assertEquals(Path.of("d", "dev-labels.lst"), PiqaReader.labelsFileFor(Path.of("d", "dev.json")));
    }

    @Test
    void labelCountMismatchNamesBothFiles(@TempDir Path dir) {
        Path file = Files2.lines(dir, "valid.jsonl", JAR, PIZZA);
        Path labels = Files2.lines(dir, "valid-labels.lst", "0");
        DataException e = assertThrows(DataException.class, () -> TaskLoader.load(TaskRegistry.PIQA, file, 1));
        assertEquals(labels + ": 1 labels for 2 items in " + file, e.getMessage());
    }

    @Test
    void badLabelNamesLabelsLine(@TempDir Path dir) {
        Path file = Files2.lines(dir, "valid.jsonl", JAR, PIZZA);
        Path labels = Files2.lines(dir, "valid-labels.lst", "0", "2");
        DataException e = assertThrows(DataException.class, () -> TaskLoader.load(TaskRegistry.PIQA, file, 0));
        assertEquals(labels + ":2: label must be 0 or 1, got \"2\"", e.getMessage());
    }

    @Test
    void missingLabelWithoutLabelsFile(@TempDir Path dir) {
        Path file = Files2.lines(dir, "valid.jsonl", JAR);
        DataException e = assertThrows(DataException.class, () -> TaskLoader.load(TaskRegistry.PIQA, file, 0));
        assertEquals(file + ":1: missing field \"label\" and no labels file valid-labels.lst next to it",
                e.getMessage());
    }

    @Test
    void inlineLabelMustAgreeWithLabelsFile(@TempDir Path dir) {
        Path file = Files2.lines(dir, "valid.jsonl", j("{'goal': 'g', 'sol1': 'a', 'sol2': 'b', 'label': 1}"));
        Path labels = Files2.lines(dir, "valid-labels.lst", "0");
        DataException e = assertThrows(DataException.class, () -> TaskLoader.load(TaskRegistry.PIQA, file, 0));
        assertEquals(file + ":1: label 1 disagrees with " + labels + ":1 (0)", e.getMessage());
    }

    @Test
    void missingFieldNamesLine(@TempDir Path dir) {
        Path file = Files2.lines(dir, "x.jsonl", JAR, j("{'goal': 'g', 'sol1': 'a', 'label': 0}"));
        Files2.lines(dir, "x-labels.lst", "0", "0");
        DataException e = assertThrows(DataException.class, () -> TaskLoader.load(TaskRegistry.PIQA, file, 0));
        assertEquals(file + ":2: missing field \"sol2\"", e.getMessage());
    }
}
