package dev.flashcomm.datasets;

import static dev.flashcomm.datasets.Json.j;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Gsm8kReaderTest {
    @Test
    void questionAndWholeAnswerAsLmEvalPromptsThem(@TempDir Path dir) {
        Path file = Files2.lines(dir, "test.jsonl", j("{'question': 'How many?', 'answer': 'Two and two.\\n#### 4'}"));
        TaskItem item = TaskLoader.load(TaskRegistry.GSM8K, file, 0).get(0);
        assertEquals(List.of(new Choice("Question: How many?\nAnswer:", " Two and two.\n#### 4", 19)), item.choices());
        assertEquals(0, item.gold());
        assertEquals("Two and two.\n#### 4", GenerationScoring.reference(item));
    }

    @Test
    void otherLayoutsAreNamed(@TempDir Path dir) {
        Path file = Files2.lines(dir, "test.jsonl", j("{'query': 'q', 'answer': 'a'}"));
        assertEquals(file + ":1: unrecognised layout: expected {question, answer}, found fields [query, answer]",
                assertThrows(DataException.class, () -> TaskLoader.load(TaskRegistry.GSM8K, file, 0)).getMessage());
        Path noAnswer = Files2.lines(dir, "b.jsonl", j("{'question': 'q'}"));
        assertEquals(noAnswer + ":1: missing field \"answer\"",
                assertThrows(DataException.class, () -> TaskLoader.load(TaskRegistry.GSM8K, noAnswer, 0))
                        .getMessage());
    }
}
