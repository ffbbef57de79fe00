package dev.flashcomm.datasets;

import static dev.flashcomm.datasets.Json.j;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Few-shot prompts written by hand from lm-eval's rules ({@code description + (doc_to_text + target_delimiter
 * + doc_to_target + fewshot_delimiter) * n + doc_to_text}) for the first items of each task, on four-document files.
 *
 * <p>The pool is the evaluated file, so each document draws 3 with {@code Random(1234)} and leaves itself out
 * (lm-eval's rule for the tasks without a {@code test_split}; for ARC and OpenBookQA, whose lm-eval pool is the train
 * split, our choice). The draws, from python3
 * ({@code r = Random(1234); [r.sample(range(4), 3) for _ in range(4)]}), are [3, 0, 2], [0, 2, 3], [0, 3, 1],
 * [1, 0, 2]: doc 0 gets examples 3 and 2 (itself dropped), doc 1 gets 0 and 2, doc 3 gets 1 and 0.
 * lambada_openai draws 2 and removes nothing, as lm-eval does from its only split. Pools in a train file:
 * {@link FewShotTrainPoolTest}.
 */
class FewShotPromptsTest {
    private static final FewShotRequest TWO_SHOT = FewShotRequest.of(2);

    private static List<TaskItem> twoShot(TaskSpec spec, Path file) {
        return TaskLoader.load(spec, file, 0, TWO_SHOT, null);
    }

    private static void assertThreeDrawnSelfLeftOut(List<TaskItem> items) {
        assertEquals(List.of(List.of(3, 2), List.of(0, 2), List.of(0, 3), List.of(1, 0)),
                items.stream().map(TaskItem::fewshotExamples).toList());
    }

    @Test
    void piqa(@TempDir Path dir) {
        Path file = Files2.lines(dir, "piqa.jsonl",
                j("{'goal': 'g0', 'sol1': 'a0', 'sol2': 'b0', 'label': 0}"),
                j("{'goal': 'g1', 'sol1': 'a1', 'sol2': 'b1', 'label': 1}"),
                j("{'goal': 'g2', 'sol1': 'a2', 'sol2': 'b2', 'label': 1}"),
                j("{'goal': 'g3', 'sol1': 'a3', 'sol2': 'b3', 'label': 0}"));
        List<TaskItem> items = twoShot(TaskRegistry.PIQA, file);
        assertThreeDrawnSelfLeftOut(items);
        String ctx0 = "Question: g3\nAnswer: a3\n\nQuestion: g2\nAnswer: b2\n\nQuestion: g0\nAnswer:";
        assertEquals(List.of(new Choice(ctx0, " a0", 2), new Choice(ctx0, " b0", 2)), items.get(0).choices());
        assertEquals("Question: g0\nAnswer: a0\n\nQuestion: g2\nAnswer: b2\n\nQuestion: g1\nAnswer:",
                items.get(1).choices().get(1).context());
        assertEquals(0, items.get(0).gold());
    }

    @Test
    void arc(@TempDir Path dir) {
        Path file = Files2.lines(dir, "arc.jsonl",
                j("{'query': 'Question: q0', 'choices': ['x', 'y', 'z'], 'gold': 2}"),
                j("{'query': 'Question: q1', 'choices': ['x', 'y'], 'gold': 0}"),
                j("{'query': 'Question: q2', 'choices': ['x', 'y', 'z', 'w'], 'gold': 3}"),
                j("{'query': 'Question: q3', 'choices': ['x', 'y', 'z'], 'gold': 1}"));
        List<TaskItem> items = twoShot(TaskRegistry.ARC_EASY, file);
        assertThreeDrawnSelfLeftOut(items);
        assertEquals("Question: q3\nAnswer: y\n\nQuestion: q2\nAnswer: w\n\nQuestion: q0\nAnswer:",
                items.get(0).choices().get(0).context());
        assertEquals(" z", items.get(0).goldChoice().continuation());
    }

    @Test
    void hellaswag(@TempDir Path dir) {
        Path file = Files2.lines(dir, "hs.txt",
                "c0", "0", "e00", "e01", "e02", "e03",
                "c1", "1", "e10", "e11", "e12", "e13",
                "c2", "2", "e20", "e21", "e22", "e23",
                "c3", "3", "e30", "e31", "e32", "e33");
        List<TaskItem> items = twoShot(TaskRegistry.HELLASWAG, file);
        assertThreeDrawnSelfLeftOut(items);
        // doc_to_text is the query, doc_to_target the gold ending: "c3" + " " + "e33"
        for (Choice c : items.get(0).choices()) {
            assertEquals("c3 e33\n\nc2 e22\n\nc0", c.context());
        }
        assertEquals("c0 e00\n\nc2 e22\n\nc1", items.get(1).choices().get(3).context());
    }

    @Test
    void winograndeGoldOptionContextThenTheSharedContinuation(@TempDir Path dir) {
        Path file = Files2.lines(dir, "wg.jsonl",
                j("{'sentence': 'A0 _ z0.', 'option1': 'p0', 'option2': 'q0', 'answer': '1'}"),
                j("{'sentence': 'A1 _ z1.', 'option1': 'p1', 'option2': 'q1', 'answer': '2'}"),
                j("{'sentence': 'A2 _ z2.', 'option1': 'p2', 'option2': 'q2', 'answer': '2'}"),
                j("{'sentence': 'A3 _ z3.', 'option1': 'p3', 'option2': 'q3', 'answer': '1'}"));
        List<TaskItem> items = twoShot(TaskRegistry.WINOGRANDE, file);
        assertThreeDrawnSelfLeftOut(items);
        // lm-eval: doc_to_choice(doc)[doc_to_text(doc)] + " " + doc_to_target(doc); then every option of the
        // evaluated doc is appended to the same examples (partial evaluation), continuation unchanged.
        String examples = "A3 p3 z3.\n\nA2 q2 z2.\n\n";
        assertEquals(List.of(new Choice(examples + "A0 p0", " z0.", 3), new Choice(examples + "A0 q0", " z0.", 3)),
                items.get(0).choices());
    }

    @Test
    void lambadaDrawsTwoFromItsOwnFileAndADocumentCanBeItsOwnExample(@TempDir Path dir) {
        Path file = Files2.lines(dir, "lambada.jsonl",
                j("{'context': 'ctx zero', 'continuation': 'w0'}"),
                j("{'context': 'ctx one', 'continuation': 'w1'}"),
                j("{'context': 'ctx two', 'continuation': 'w2'}"),
                j("{'context': 'ctx three', 'continuation': 'w3'}"));
        List<TaskItem> items = twoShot(TaskRegistry.LAMBADA_OPENAI, file);
        // lm-eval: test_split "test" != fewshot_split None, so Random(1234).sample(test docs, 2), nothing removed.
        // python3: r = Random(1234); [r.sample(range(4), 2) for _ in range(4)] -> [3, 0], [0, 3], [0, 2], [0, 3]
        assertEquals(List.of(List.of(3, 0), List.of(0, 3), List.of(0, 2), List.of(0, 3)),
                items.stream().map(TaskItem::fewshotExamples).toList());
        // doc_to_target is " " + word and the target delimiter adds another: two spaces, as lm-eval writes them;
        // doc 0 is its own second example.
        assertEquals(new Choice("ctx three  w3\n\nctx zero  w0\n\nctx zero", " w0", 2), items.get(0).goldChoice());
        // One more document needs no extra draw: a pool of n suffices, as for lm-eval's Random.sample.
        Path two = Files2.lines(dir, "lambada2.jsonl", j("{'context': 'a', 'continuation': 'x'}"),
                j("{'context': 'b', 'continuation': 'y'}"));
        assertEquals(2, twoShot(TaskRegistry.LAMBADA_OPENAI, two).get(1).fewshotExamples().size());
    }

    @Test
    void boolq(@TempDir Path dir) {
        Path file = Files2.lines(dir, "boolq.jsonl",
                j("{'question': 'q0', 'passage': 'P0', 'label': 0}"),
                j("{'question': 'q1', 'passage': 'P1', 'label': 1}"),
                j("{'question': 'q2', 'passage': 'P2', 'label': 1}"),
                j("{'question': 'q3', 'passage': 'P3', 'label': 0}"));
        List<TaskItem> items = twoShot(TaskRegistry.BOOLQ, file);
        assertThreeDrawnSelfLeftOut(items);
        assertEquals("P3\nQuestion: q3?\nAnswer: no\n\nP2\nQuestion: q2?\nAnswer: yes\n\nP0\nQuestion: q0?\nAnswer:",
                items.get(0).choices().get(1).context());
    }

    @Test
    void openbookqa(@TempDir Path dir) {
        String choices = "'choices': [{'text': 't1', 'label': 'A'}, {'text': 't2', 'label': 'B'}]";
        Path file = Files2.lines(dir, "obqa.jsonl",
                j("{'question': {'stem': 'S0', " + choices + "}, 'answerKey': 'A'}"),
                j("{'question': {'stem': 'S1', " + choices + "}, 'answerKey': 'B'}"),
                j("{'question': {'stem': 'S2', " + choices + "}, 'answerKey': 'B'}"),
                j("{'question': {'stem': 'S3', " + choices + "}, 'answerKey': 'A'}"));
        List<TaskItem> items = twoShot(TaskRegistry.OPENBOOKQA, file);
        assertThreeDrawnSelfLeftOut(items);
        assertEquals("S3 t1\n\nS2 t2\n\nS0", items.get(0).choices().get(0).context());
    }

    @Test
    void copaKeepsItsTwoSpacesInTheExamples(@TempDir Path dir) {
        Path file = Files2.lines(dir, "copa.jsonl",
                j("{'premise': 'P0.', 'choice1': 'A0.', 'choice2': 'B0.', 'question': 'cause', 'label': 0}"),
                j("{'premise': 'P1.', 'choice1': 'A1.', 'choice2': 'B1.', 'question': 'effect', 'label': 1}"),
                j("{'premise': 'P2.', 'choice1': 'A2.', 'choice2': 'B2.', 'question': 'effect', 'label': 1}"),
                j("{'premise': 'P3.', 'choice1': 'A3.', 'choice2': 'B3.', 'question': 'cause', 'label': 0}"));
        List<TaskItem> items = twoShot(TaskRegistry.COPA, file);
        assertThreeDrawnSelfLeftOut(items);
        // doc_to_text "P3 because", target delimiter " ", doc_to_target " a3." (utils.py adds its own space)
        String ctx0 = "P3 because  a3.\n\nP2 therefore  b2.\n\nP0 because";
        assertEquals(List.of(new Choice(ctx0, "  a0.", 4), new Choice(ctx0, "  b0.", 4)), items.get(0).choices());
    }

    @Test
    void separatePoolIsDrawnWithoutExtraAndWithoutExclusion(@TempDir Path dir) {
        // r = Random(1234); [r.sample(range(5), 2) for _ in range(3)] -> [3, 0], [0, 4], [4, 0]
        Path train = Files2.lines(dir, "train.jsonl",
                j("{'question': 't0', 'answer': 'r0\\n#### 0'}"), j("{'question': 't1', 'answer': '#### 1'}"),
                j("{'question': 't2', 'answer': '#### 2'}"), j("{'question': 't3', 'answer': '#### 3'}"),
                j("{'question': 't4', 'answer': '#### 4'}"));
        Path test = Files2.lines(dir, "test.jsonl", j("{'question': 'e0', 'answer': '#### 7'}"),
                j("{'question': 'e1', 'answer': '#### 8'}"), j("{'question': 'e2', 'answer': '#### 9'}"));
        List<TaskItem> items = TaskLoader.load(TaskRegistry.GSM8K, test, 0, TWO_SHOT, train);
        assertEquals(List.of(List.of(3, 0), List.of(0, 4), List.of(4, 0)),
                items.stream().map(TaskItem::fewshotExamples).toList());
        assertEquals(new Choice("Question: t3\nAnswer: #### 3\n\nQuestion: t0\nAnswer: r0\n#### 0\n\n"
                + "Question: e0\nAnswer:", " #### 7", 6), items.get(0).goldChoice());
    }

    @Test
    void theGeneratorAdvancesPerDocumentAndLimitKeepsThePrefix(@TempDir Path dir) {
        Path file = Files2.lines(dir, "boolq.jsonl", j("{'question': 'q0', 'passage': 'P0', 'label': 0}"),
                j("{'question': 'q1', 'passage': 'P1', 'label': 1}"),
                j("{'question': 'q2', 'passage': 'P2', 'label': 1}"),
                j("{'question': 'q3', 'passage': 'P3', 'label': 0}"));
        List<TaskItem> all = twoShot(TaskRegistry.BOOLQ, file);
        List<TaskItem> two = TaskLoader.load(TaskRegistry.BOOLQ, file, 2, TWO_SHOT, null);
        assertEquals(all.subList(0, 2), two);
        // A fresh generator for doc 1 would draw [3, 0, 2] -> [3, 0]; lm-eval's shared one has moved on.
        assertEquals(List.of(0, 2), all.get(1).fewshotExamples());
        // Another seed, other draws: r = Random(7); [r.sample(range(4), 3) for _ in range(4)]
        // -> [2, 0, 1], [0, 3, 2], [2, 3, 0], [1, 0, 2]
        List<TaskItem> seven = TaskLoader.load(TaskRegistry.BOOLQ, file, 0, new FewShotRequest(2, 7), null);
        assertEquals(List.of(List.of(2, 1), List.of(0, 3), List.of(3, 0), List.of(1, 0)),
                seven.stream().map(TaskItem::fewshotExamples).toList());
    }

    @Test
    void firstNFromTheSameFileSkipsTheDocumentItself(@TempDir Path dir) {
        TaskSpec firstN = TaskRegistry.PIQA.withFewShot(new FewShotSpec(0, FewShotSampler.FIRST_N, "D:\n", " ",
                "\n", null, FewShotSplit.UNSET));
        Path file = Files2.lines(dir, "piqa.jsonl",
                j("{'goal': 'g0', 'sol1': 'a0', 'sol2': 'b0', 'label': 0}"),
                j("{'goal': 'g1', 'sol1': 'a1', 'sol2': 'b1', 'label': 1}"),
                j("{'goal': 'g2', 'sol1': 'a2', 'sol2': 'b2', 'label': 1}"));
        List<TaskItem> items = twoShot(firstN, file);
        assertEquals(List.of(List.of(1, 2), List.of(0, 2), List.of(0, 1)),
                items.stream().map(TaskItem::fewshotExamples).toList());
        assertEquals("D:\nQuestion: g1\nAnswer: b1\nQuestion: g2\nAnswer: b2\nQuestion: g0\nAnswer:",
                items.get(0).choices().get(0).context());
    }

    @Test
    void zeroShotStillGetsTheDescriptionAndRecordsNoExamples(@TempDir Path dir) {
        TaskSpec described = TaskRegistry.BOOLQ.withFewShot(FewShotSpec.LM_EVAL_DEFAULT.withDescription("About:\n\n"));
        Path file = Files2.lines(dir, "boolq.jsonl", j("{'question': 'q0', 'passage': 'P0', 'label': 0}"));
        TaskItem item = TaskLoader.load(described, file, 0).get(0);
        assertEquals("About:\n\nP0\nQuestion: q0?\nAnswer:", item.choices().get(0).context());
        assertEquals(List.of(), item.fewshotExamples());
        // the nine tasks have no description: zero-shot loading is what it was
        assertEquals("P0\nQuestion: q0?\nAnswer:", TaskLoader.load(TaskRegistry.BOOLQ, file, 0).get(0)
                .choices().get(0).context());
    }

    @Test
    void tooFewDocumentsNameThePoolFile(@TempDir Path dir) {
        Path file = Files2.lines(dir, "boolq.jsonl", j("{'question': 'q0', 'passage': 'P0', 'label': 0}"),
                j("{'question': 'q1', 'passage': 'P1', 'label': 1}"));
        DataException same = assertThrows(DataException.class, () -> twoShot(TaskRegistry.BOOLQ, file));
        assertEquals(file + ": 2-shot prompts need 3 examples (one more is drawn to leave the evaluated document out)"
                + " but the file holds 2", same.getMessage());
        Path pool = Files2.lines(dir, "train.jsonl", j("{'question': 'q9', 'passage': 'P9', 'label': 0}"),
                j("{'question': 'q8', 'passage': 'P8', 'label': 1}"));
        // BoolQ draws n + 1 from its train split as well (no test_split: None == None)
        DataException train = assertThrows(DataException.class,
                () -> TaskLoader.load(TaskRegistry.BOOLQ, file, 0, TWO_SHOT, pool));
        assertEquals(pool + ": 2-shot prompts need 3 examples (one more is drawn to leave the evaluated document out)"
                + " but the file holds 2", train.getMessage());
        Path arcFile = Files2.lines(dir, "arc.jsonl", j("{'query': 'Question: q0', 'choices': ['x'], 'gold': 0}"));
        Path arcPool = Files2.lines(dir, "arc_train.jsonl",
                j("{'query': 'Question: t0', 'choices': ['x'], 'gold': 0}"));
        DataException other = assertThrows(DataException.class,
                () -> TaskLoader.load(TaskRegistry.ARC_EASY, arcFile, 0, TWO_SHOT, arcPool));
        assertEquals(arcPool + ": 2-shot prompts need 2 examples but the file holds 1", other.getMessage());
        assertEquals(List.of(file, pool), TaskLoader.dataFiles(TaskRegistry.BOOLQ, file, pool));
        assertEquals(List.of(file), TaskLoader.dataFiles(TaskRegistry.BOOLQ, file, null));
    }
}
