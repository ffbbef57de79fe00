package dev.flashcomm.datasets;

import static dev.flashcomm.datasets.Json.j;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArcReaderTest {
    @Test
    void sharedLayoutAppendsAnswerToQuery(@TempDir Path dir) {
        Path file = Files2.lines(dir, "arc.jsonl",
                j("{'query': 'Question: What melts ice?', 'choices': ['heat', 'cold air', 'salt'], 'gold': 2}"));
        TaskItem item = TaskLoader.load(TaskRegistry.ARC_EASY, file, 0).get(0);
        String ctx = "Question: What melts ice?\nAnswer:";
        assertEquals(List.of(new Choice(ctx, " heat", 4), new Choice(ctx, " cold air", 8), new Choice(ctx, " salt", 4)),
                item.choices());
        assertEquals(2, item.gold());
    }

    @Test
    void originalReleaseWithLetterAndDigitKeys(@TempDir Path dir) {
        Path file = Files2.lines(dir, "ARC-Challenge-Test.jsonl",
                j("{'id': 'x1', 'question': {'stem': 'Which is a gas?', 'choices': [{'text': 'rock', 'label': 'A'},"
                        + " {'text': 'steam', 'label': 'B'}, {'text': 'wood', 'label': 'C'},"
                        + " {'text': 'ice', 'label': 'D'}]}, 'answerKey': 'B'}"),
                j("{'id': 'x2', 'question': {'stem': 'Pick three.', 'choices': [{'text': 'one', 'label': '1'},"
                        + " {'text': 'two', 'label': '2'}, {'text': 'three', 'label': '3'}]}, 'answerKey': '3'}"));
        List<TaskItem> items = TaskLoader.load(TaskRegistry.ARC_CHALLENGE, file, 0);
        TaskItem gas = items.get(0);
        assertEquals(1, gas.gold());
        assertEquals(4, gas.choices().size());
        assertEquals(new Choice("Question: Which is a gas?\nAnswer:", " steam", 5), gas.choices().get(1));
        TaskItem three = items.get(1);
        assertEquals(2, three.gold());
        assertEquals(3, three.choices().size());
        assertEquals("Question: Pick three.\nAnswer:", three.choices().get(0).context());
    }

    @Test
    void huggingFaceLayout(@TempDir Path dir) {
        Path file = Files2.lines(dir, "hf.jsonl", j("{'question': 'Why?', 'choices': {'text': ['a', 'bb'],"
                + " 'label': ['A', 'B']}, 'answerKey': 'A'}"));
        TaskItem item = TaskLoader.load(TaskRegistry.ARC_EASY, file, 0).get(0);
        assertEquals(List.of(new Choice("Question: Why?\nAnswer:", " a", 1), new Choice("Question: Why?\nAnswer:",
                " bb", 2)), item.choices());
        assertEquals(0, item.gold());
    }

    @Test
    void answerKeyMatchingNoLabelIsAnError(@TempDir Path dir) {
        Path file = Files2.lines(dir, "arc.jsonl", j("{'question': {'stem': 's', 'choices': [{'text': 'a', 'label':"
                + " 'A'}, {'text': 'b', 'label': 'B'}]}, 'answerKey': 'E'}"));
        DataException e = assertThrows(DataException.class, () -> TaskLoader.load(TaskRegistry.ARC_EASY, file, 0));
        assertEquals(file + ":1: answerKey \"E\" matches no choice label [A, B]", e.getMessage());
    }

    @Test
    void nestedMissingFieldNamesItsPath(@TempDir Path dir) {
        Path file = Files2.lines(dir, "arc.jsonl", j("{'question': {'stem': 's', 'choices': [{'label': 'A'}]},"
                + " 'answerKey': 'A'}"));
        DataException e = assertThrows(DataException.class, () -> TaskLoader.load(TaskRegistry.ARC_EASY, file, 0));
        assertEquals(file + ":1: missing field \"question.choices[0].text\"", e.getMessage());
    }
}
