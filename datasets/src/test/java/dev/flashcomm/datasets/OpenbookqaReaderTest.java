package dev.flashcomm.datasets;

import static dev.flashcomm.datasets.Json.j;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenbookqaReaderTest {
    @Test
    void originalLayoutUsesTheBareStem(@TempDir Path dir) {
        Path file = Files2.lines(dir, "test.jsonl", j("{'id': '7-1', 'question': {'stem': 'Fog forms near',"
                + " 'choices': [{'text': 'a marsh', 'label': 'A'}, {'text': 'a desert', 'label': 'B'},"
                + " {'text': 'lava', 'label': 'C'}, {'text': 'space', 'label': 'D'}]}, 'answerKey': 'A'}"));
        TaskItem item = TaskLoader.load(TaskRegistry.OPENBOOKQA, file, 0).get(0);
        assertEquals(List.of(new Choice("Fog forms near", " a marsh", 7), new Choice("Fog forms near", " a desert", 8),
                new Choice("Fog forms near", " lava", 4), new Choice("Fog forms near", " space", 5)), item.choices());
        assertEquals(0, item.gold());
    }

    @Test
    void huggingFaceLayoutWithPaddedKey(@TempDir Path dir) {
        Path file = Files2.lines(dir, "hf.jsonl", j("{'question_stem': 'Predators eat', 'choices': {'text': ['rocks',"
                + " 'prey'], 'label': ['A', 'B']}, 'answerKey': ' B'}"));
        TaskItem item = TaskLoader.load(TaskRegistry.OPENBOOKQA, file, 0).get(0);
        assertEquals(new Choice("Predators eat", " prey", 4), item.goldChoice());
    }

    @Test
    void sharedQueryLayoutIsNotOpenbookqa(@TempDir Path dir) {
        Path file = Files2.lines(dir, "q.jsonl", j("{'query': 'q', 'choices': ['a'], 'gold': 0}"));
        DataException e = assertThrows(DataException.class, () -> TaskLoader.load(TaskRegistry.OPENBOOKQA, file, 0));
        assertEquals(file + ":1: unrecognised layout: expected {question: {stem, choices}, answerKey} or"
                + " {question_stem, choices, answerKey}, found fields [query, choices, gold]", e.getMessage());
    }
}
