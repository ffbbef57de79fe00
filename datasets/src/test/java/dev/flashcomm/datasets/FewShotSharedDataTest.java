package dev.flashcomm.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GSM8K and MMLU prompts on the original releases in shared/data; skipped where they are absent. */
class FewShotSharedDataTest {
    static final Path DATA = Path.of(System.getProperty("flashcomm.shared", "../shared")).resolve("data");

    @BeforeAll
    static void needShared() {
        assumeTrue(Files.isDirectory(DATA.resolve("gsm8k")) && Files.isDirectory(DATA.resolve("mmlu")),
                () -> "skipped: no fixtures at " + DATA.resolve("gsm8k").toAbsolutePath() + " and "
                        + DATA.resolve("mmlu").toAbsolutePath());
    }

    private static JsonObject line(Path file, int index) throws IOException {
        return JsonParser.parseString(Files.readAllLines(file, StandardCharsets.UTF_8).get(index)).getAsJsonObject();
    }

    /** lm-eval's gsm8k example: {@code "Question: " + question + "\nAnswer:" + " " + answer + "\n\n"}. */
    private static String example(JsonObject doc) {
        return "Question: " + doc.get("question").getAsString() + "\nAnswer: " + doc.get("answer").getAsString()
                + "\n\n";
    }

    @Test
    void gsm8kFiveShotFromTrainLikeLmEval() throws IOException {
        List<TaskItem> items = TaskLoader.loadDefault(TaskRegistry.GSM8K, DATA, 3,
                FewShotRequest.defaultsFor(TaskRegistry.GSM8K));
        // python3: r = Random(1234); [r.sample(range(7473), 5) for _ in range(3)]
        List<List<Integer>> draws = List.of(List.of(6374, 3610, 957, 61, 742), List.of(7462, 6610, 4769, 286, 5501),
                List.of(5677, 687, 806, 6279, 2905));
        assertEquals(draws, items.stream().map(TaskItem::fewshotExamples).toList());
        Path train = DATA.resolve("gsm8k/train.jsonl");
        Path test = DATA.resolve("gsm8k/test.jsonl");
        for (int i = 0; i < 3; i++) {
            StringBuilder expected = new StringBuilder();
            for (int e : draws.get(i)) {
                expected.append(example(line(train, e)));
            }
            JsonObject doc = line(test, i);
            expected.append("Question: ").append(doc.get("question").getAsString()).append("\nAnswer:");
            Choice only = items.get(i).goldChoice();
            assertEquals(expected.toString(), only.context(), "item " + i);
            assertEquals(" " + doc.get("answer").getAsString(), only.continuation());
        }
        String ctx0 = items.get(0).goldChoice().context();
        assertTrue(ctx0.startsWith("Question: Jen and Tyler are gymnasts practicing flips. Jen is practicing the"
                + " triple-flip"), ctx0);
        assertTrue(ctx0.endsWith("How much in dollars does she make every day at the farmers' market?\nAnswer:"));
        assertEquals(1.0, GenerationScoring.score(Metric.EXACT_MATCH_STRICT, " She makes $18.\n#### 18", items.get(0)));
        assertEquals(1319, TaskLoader.loadDefault(TaskRegistry.GSM8K, DATA, 0).size());
    }

    @Test
    void mmluAbstractAlgebraFiveShotFromDevLikeLmEval() {
        TaskSpec spec = TaskRegistry.require("mmlu_abstract_algebra");
        TaskItem first = TaskLoader.loadDefault(spec, DATA, 1, FewShotRequest.of(5)).get(0);
        String statements = "\nA. True, True\nB. False, False\nC. True, False\nD. False, True\nAnswer: ";
        String expected = "The following are multiple choice questions (with answers) about abstract algebra.\n\n"
                + "Find all c in Z_3 such that Z_3[x]/(x^2 + c) is a field.\nA. 0\nB. 1\nC. 2\nD. 3\nAnswer: B\n\n"
                + "Statement 1 | If aH is an element of a factor group, then |aH| divides |a|. Statement 2 | If H and K"
                + " are subgroups of G then HK is a subgroup of G." + statements + "B\n\n"
                + "Statement 1 | Every element of a group generates a cyclic subgroup of the group. Statement 2 | The"
                + " symmetric group S_10 has 10 elements." + statements + "C\n\n"
                + "Statement 1| Every function from a finite set onto itself must be one to one. Statement 2 | Every"
                + " subgroup of an abelian group is abelian." + statements + "A\n\n"
                + "Find the characteristic of the ring 2Z.\nA. 0\nB. 3\nC. 12\nD. 30\nAnswer: A\n\n"
                + "Find the degree for the given field extension Q(sqrt(2), sqrt(3), sqrt(18)) over Q.\nA. 0\nB. 4\n"
                + "C. 2\nD. 6\nAnswer:";
        assertEquals(expected, first.choices().get(3).context());
        assertEquals(List.of(" A", " B", " C", " D"), first.choices().stream().map(Choice::continuation).toList());
        assertEquals(1, first.gold());
        assertEquals(List.of(0, 1, 2, 3, 4), first.fewshotExamples());
    }

    @Test
    void everyMmluSubjectLoadsFiveShot() {
        int total = 0;
        for (TaskSpec spec : TaskRegistry.expand("mmlu")) {
            List<TaskItem> items = TaskLoader.loadDefault(spec, DATA, 0, FewShotRequest.of(5));
            total += items.size();
            assertTrue(items.get(0).choices().get(0).context().startsWith(
                    "The following are multiple choice questions (with answers) about "), spec.name());
        }
        assertEquals(14042, total);
        // the one dev question with a CRLF inside its quoted field keeps it
        TaskItem math = TaskLoader.loadDefault(TaskRegistry.require("mmlu_college_mathematics"), DATA, 1,
                FewShotRequest.of(5)).get(0);
        assertTrue(math.choices().get(0).context().contains("must be true?\r\nI. All of the entries of A^2"));
    }
}
