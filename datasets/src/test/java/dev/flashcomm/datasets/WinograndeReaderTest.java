package dev.flashcomm.datasets;

import static dev.flashcomm.datasets.Json.j;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WinograndeReaderTest {
    @Test
    void sharedLayoutScoresOneContinuationUnderEachContext(@TempDir Path dir) {
        Path file = Files2.lines(dir, "w.jsonl", j("{'context_options': ['Ann beat Bo so Ann', 'Ann beat Bo so Bo'],"
                + " 'continuation': 'was sad.', 'gold': 1}"));
        TaskItem item = TaskLoader.load(TaskRegistry.WINOGRANDE, file, 0).get(0);
        assertEquals(List.of(new Choice("Ann beat Bo so Ann", " was sad.", 8),
                new Choice("Ann beat Bo so Bo", " was sad.", 8)), item.choices());
        assertEquals(1, item.gold());
    }

    @Test
    void originalLayoutUsesPartialEvaluation(@TempDir Path dir) {
        Path file = Files2.lines(dir, "dev.jsonl",
                j("{'qID': 'q1', 'sentence': 'The trophy would not fit in the case because the _  was too big. ',"
                        + " 'option1': 'trophy', 'option2': 'case', 'answer': '1'}"),
                j("{'sentence': 'Ed asked Al for help since _ knew math.', 'option1': 'Ed', 'option2': 'Al',"
                        + " 'answer': 2}"));
        List<TaskItem> items = TaskLoader.load(TaskRegistry.WINOGRANDE, file, 0);
        TaskItem trophy = items.get(0);
        String before = "The trophy would not fit in the case because the ";
        assertEquals(List.of(new Choice(before + "trophy", " was too big.", 12),
                new Choice(before + "case", " was too big.", 12)), trophy.choices());
        assertEquals(0, trophy.gold());
        assertEquals(1, items.get(1).gold());
        assertEquals("Ed asked Al for help since Al", items.get(1).choices().get(1).context());
        assertEquals(" knew math.", items.get(1).choices().get(1).continuation());
    }

    @Test
    void sentenceWithoutBlankOrBadAnswerIsAnError(@TempDir Path dir) {
        Path noBlank = Files2.lines(dir, "a.jsonl", j("{'sentence': 'No blank.', 'option1': 'x', 'option2': 'y',"
                + " 'answer': '1'}"));
        assertEquals(noBlank + ":1: field \"sentence\" has no \"_\" blank", assertThrows(DataException.class,
                () -> TaskLoader.load(TaskRegistry.WINOGRANDE, noBlank, 0)).getMessage());
        Path badAnswer = Files2.lines(dir, "b.jsonl", j("{'sentence': 'A _ b.', 'option1': 'x', 'option2': 'y',"
                + " 'answer': '3'}"));
        assertEquals(badAnswer + ":1: field \"answer\" must be 1 or 2, got 3", assertThrows(DataException.class,
                () -> TaskLoader.load(TaskRegistry.WINOGRANDE, badAnswer, 0)).getMessage());
        Path unlabeled = Files2.lines(dir, "c.jsonl", j("{'sentence': 'A _ b.', 'option1': 'x', 'option2': 'y',"
                + " 'answer': ''}"));
        assertEquals(unlabeled + ":1: field \"answer\" must be an integer, got \"\"", assertThrows(
                DataException.class, () -> TaskLoader.load(TaskRegistry.WINOGRANDE, unlabeled, 0)).getMessage());
    }
}
