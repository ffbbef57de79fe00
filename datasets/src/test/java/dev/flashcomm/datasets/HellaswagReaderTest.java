package dev.flashcomm.datasets;

import static dev.flashcomm.datasets.Json.j;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HellaswagReaderTest {
    @Test
    void llamaCppBlocksOfSixLines(@TempDir Path dir) {
        Path file = Files2.lines(dir, "hs.txt",
                "Baking: A man opens an oven. he", "2", "sings.", "flies away.", "takes out a cake.", "sleeps.",
                "Surfing: A girl paddles out. she", "0", "stands up on the board.", "eats.", "reads.", "cries.");
        List<TaskItem> items = TaskLoader.load(TaskRegistry.HELLASWAG, file, 0);
        assertEquals(2, items.size());
        TaskItem baking = items.get(0);
        assertEquals(2, baking.gold());
        assertEquals(new Choice("Baking: A man opens an oven. he", " takes out a cake.", 17),
                baking.choices().get(2));
        assertEquals(4, baking.choices().size());
        assertEquals(1, items.get(1).index());
        assertEquals(0, items.get(1).gold());
        assertEquals(" stands up on the board.", items.get(1).choices().get(0).continuation());

        assertEquals(1, TaskLoader.load(TaskRegistry.HELLASWAG, file, 1).size());
    }

    @Test
    void incompleteBlockNamesItsFirstLine(@TempDir Path dir) {
        Path file = Files2.lines(dir, "hs.txt", "ctx", "0", "a", "b", "c", "d", "ctx2", "1", "a");
        DataException e = assertThrows(DataException.class, () -> TaskLoader.load(TaskRegistry.HELLASWAG, file, 1));
        assertEquals(file + ":7: incomplete hellaswag block: expected 6 lines (context, gold index, 4 endings),"
                + " found 3", e.getMessage());
    }

    @Test
    void badGoldLineIsAnError(@TempDir Path dir) {
        Path file = Files2.lines(dir, "hs.txt", "ctx", "0", "a", "b", "c", "d", "ctx2", "4", "a", "b", "c", "d");
        DataException e = assertThrows(DataException.class, () -> TaskLoader.load(TaskRegistry.HELLASWAG, file, 0));
        assertEquals(file + ":8: gold index must be 0..3, got \"4\"", e.getMessage());
    }

    @Test
    void originalJsonlIsPreprocessedLikeLmEval(@TempDir Path dir) {
        Path file = Files2.lines(dir, "hellaswag_val.jsonl",
                j("{'ind': 4, 'activity_label': 'Making a sandwich', 'ctx_a': 'A man lays bread on a counter.',"
                        + " 'ctx_b': 'then he SPREADS butter', 'endings': ['adds ham [title] Close the sandwich.',"
                        + " 'eats it [step] quickly.', '  walks away  ', '[header] drops it'], 'label': '3'}"),
                j("{'activity_label': 'Running', 'ctx_a': 'A woman runs.', 'ctx_b': '',"
                        + " 'endings': ['a', 'b', 'c', 'd'], 'label': 0}"));
        List<TaskItem> items = TaskLoader.load(TaskRegistry.HELLASWAG, file, 0);
        TaskItem sandwich = items.get(0);
        String ctx = "Making a sandwich: A man lays bread on a counter. Then he spreads butter";
        assertEquals(List.of(
                new Choice(ctx, " adds ham. Close the sandwich.", 29),
                new Choice(ctx, " eats it quickly.", 16),
                new Choice(ctx, " walks away", 10),
                // the bracket goes after strip(), so its following space stays: lm-eval scores "  drops it"
                new Choice(ctx, "  drops it", 9)), sandwich.choices());
        assertEquals(3, sandwich.gold());
        assertEquals("Running: A woman runs.", items.get(1).choices().get(0).context());
    }

    @Test
    void preprocessMatchesLmEvalUtils() {
        assertEquals("Step one. Do it.", HellaswagReader.preprocess(" Step one [title] Do it. "));
        assertEquals("a b", HellaswagReader.preprocess("a [x] b"));
        assertEquals("a  b", HellaswagReader.preprocess("a [x]  [y] b"));
        // Python's "." does not cross "\n", so neither does ours.
        assertEquals("a [x\ny] b", HellaswagReader.preprocess("a [x\ny] b"));
        // ...but it does cross U+2028, where Java's default "." would stop.
        assertEquals("a b", HellaswagReader.preprocess("a [x\u2028y] b"));
    }

    @Test
    void jsonLabelOutOfRange(@TempDir Path dir) {
        Path file = Files2.lines(dir, "h.jsonl", j("{'activity_label': 'x', 'ctx_a': 'a', 'ctx_b': 'b',"
                + " 'endings': ['a', 'b', 'c', 'd'], 'label': 4}"));
        DataException e = assertThrows(DataException.class, () -> TaskLoader.load(TaskRegistry.HELLASWAG, file, 0));
        assertEquals(file + ":1: field \"label\" is 4, out of range for 4 choices (0..3)", e.getMessage());
    }
}
