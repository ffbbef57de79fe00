package dev.flashcomm.datasets;

import static dev.flashcomm.datasets.Json.j;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CopaReaderTest {
    @Test
    void sharedLayoutKeepsItsQueryAndScoresLmEvalsContinuation(@TempDir Path dir) {
        Path file = Files2.lines(dir, "copa.jsonl", j("{'query': 'The ice melted, because', 'gold': 0,"
                + " 'choices': ['the sun came out.', 'it snowed.']}"));
        TaskItem item = TaskLoader.load(TaskRegistry.COPA, file, 0).get(0);
        // The comma stays (we cannot know the premise without it); the continuation is lm-eval's "  " + choice.
        assertEquals(List.of(new Choice("The ice melted, because", "  the sun came out.", 18),
                new Choice("The ice melted, because", "  it snowed.", 11)), item.choices());
        assertEquals(0, item.gold());
    }

    @Test
    void superGlueLayoutLikeLmEvalUtils(@TempDir Path dir) {
        Path file = Files2.lines(dir, "val.jsonl",
                j("{'premise': 'The tap was on. ', 'choice1': 'The sink filled.', 'choice2': 'It rained.',"
                        + " 'question': 'effect', 'idx': 0, 'label': 0}"),
                j("{'premise': 'I was cold.', 'choice1': 'I ran.', 'choice2': 'It snowed.', 'question': 'cause',"
                        + " 'label': 1}"));
        List<TaskItem> items = TaskLoader.load(TaskRegistry.COPA, file, 0);
        // strip(), drop the period, " therefore" without a comma; choices lower-cased first letter, two spaces.
        assertEquals(List.of(new Choice("The tap was on therefore", "  the sink filled.", 17),
                new Choice("The tap was on therefore", "  it rained.", 11)), items.get(0).choices());
        assertEquals(0, items.get(0).gold());
        assertEquals(new Choice("I was cold because", "  it snowed.", 11), items.get(1).goldChoice());
        assertEquals("  i ran.", items.get(1).choices().get(0).continuation());
    }

    @Test
    void unknownConnectorIsAnError(@TempDir Path dir) {
        Path file = Files2.lines(dir, "c.jsonl", j("{'premise': 'p.', 'choice1': 'a', 'choice2': 'b',"
                + " 'question': 'why', 'label': 0}"));
        assertEquals(file + ":1: field \"question\" must be \"cause\" or \"effect\", got \"why\"",
                assertThrows(DataException.class, () -> TaskLoader.load(TaskRegistry.COPA, file, 0)).getMessage());
    }

    @Test
    void missingChoiceNamesTheField(@TempDir Path dir) {
        Path file = Files2.lines(dir, "c.jsonl", j("{'premise': 'p.', 'choice1': 'a', 'question': 'cause',"
                + " 'label': 0}"));
        assertEquals(file + ":1: missing field \"choice2\"",
                assertThrows(DataException.class, () -> TaskLoader.load(TaskRegistry.COPA, file, 0)).getMessage());
    }
}
