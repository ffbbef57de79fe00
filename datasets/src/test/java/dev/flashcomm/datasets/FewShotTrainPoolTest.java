package dev.flashcomm.datasets;

import static dev.flashcomm.datasets.Json.j;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Examples drawn from a train file, as {@code --fewshot-file TASK=TRAIN_FILE} gives them, for the tasks whose lm-eval
 * YAML sets no {@code test_split}. There {@code fewshot_split == test_split} is {@code None == None}, so lm-eval's
 * {@code fewshot_context} passes the document to the sampler, which draws n+1 with the one shared
 * {@code Random(1234)}, removes the document if present and keeps the first n. Every document consumes n+1 draws,
 * so drawing n (what we did) agrees on document 0 only by the prefix property of {@code sample} and drifts from
 * document 1 or 2 on.
 *
 * <p>The small files: 5 validation documents, 7 train documents, 2 shots. python3, once:
 * {@code r = Random(1234); [r.sample(range(7), 3) for _ in range(6)]} gives [6, 3, 0], [0, 6, 4], [0, 5, 6],
 * [0, 2, 1], [0, 6, 5], [2, 5, 4]; the first two of each are the examples unless the document is among them. Drawing
 * 2 instead ({@code [r.sample(range(7), 2) for _ in range(5)]}) gives [6, 3], [0, 6], [0, 4], [0, 5], [5, 0]: equal
 * for documents 0 and 1, not from 2 on.
 */
class FewShotTrainPoolTest {
    private static final FewShotRequest TWO_SHOT = FewShotRequest.of(2);

    private static List<List<Integer>> examples(List<TaskItem> items) {
        return items.stream().map(TaskItem::fewshotExamples).toList();
    }

    /** A HellaSwag row as Rowan/hellaswag has it (reader: {@code activity_label + ": " + ctx_a + " " + ctx_b}). */
    private static String hellaswagRow(String split, int ind, String name, int label) {
        return j("{'ind': " + ind + ", 'activity_label': '" + name + "', 'ctx_a': 'a " + name + ".', 'ctx_b': 'then',"
                + " 'endings': ['" + name + "e0', '" + name + "e1', '" + name + "e2', '" + name + "e3'], 'label': '"
                + label + "', 'split': '" + split + "'}");
    }

    @Test
    void hellaswagDrawsThreeAndKeepsTwoForEveryDocument(@TempDir Path dir) {
        List<String> train = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            train.add(hellaswagRow("train", 100 + i, "T" + i, i % 4));
        }
        // Train row 5 repeats validation document 2 word for word; lm-eval's rows still differ (split, ind), so
        // document 2 keeps it.
        train.set(5, hellaswagRow("train", 105, "V2", 2));
        List<String> validation = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            validation.add(hellaswagRow("val", 200 + i, "V" + i, i % 4));
        }
        Path trainFile = Files2.lines(dir, "hellaswag_train.jsonl", train.toArray(String[]::new));
        Path valFile = Files2.lines(dir, "hellaswag_val.jsonl", validation.toArray(String[]::new));
        List<TaskItem> items = TaskLoader.load(TaskRegistry.HELLASWAG, valFile, 0, TWO_SHOT, trainFile);

        assertEquals(List.of(0, 6), items.get(1).fewshotExamples());
        assertEquals(List.of(0, 5), items.get(2).fewshotExamples(), "n drawn would give [0, 4]");
        assertEquals(List.of(0, 6), items.get(4).fewshotExamples(), "n drawn would give [5, 0]");
        assertEquals(List.of(List.of(6, 3), List.of(0, 6), List.of(0, 5), List.of(0, 2), List.of(0, 6)),
                examples(items));
        // doc_to_text (query) + " " + gold ending, "\n\n" between: T0's gold is ending 0, T6's ending 2
        String ctx1 = "T0: a T0. Then T0e0\n\nT6: a T6. Then T6e2\n\nV1: a V1. Then";
        for (Choice c : items.get(1).choices()) {
            assertEquals(ctx1, c.context());
        }
        assertEquals("T0: a T0. Then T0e0\n\nV2: a V2. Then V2e2\n\nV2: a V2. Then",
                items.get(2).goldChoice().context(), "its own text, from the train file, is document 2's example");
        // --limit takes the first N documents with the same examples
        assertEquals(items.subList(0, 3), TaskLoader.load(TaskRegistry.HELLASWAG, valFile, 3, TWO_SHOT, trainFile));
    }

    @Test
    void piqaDrawsThreeAndLeavesOutATrainRowEqualToTheDocument(@TempDir Path dir) {
        List<String> train = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            train.add(j("{'goal': 'tg" + i + "', 'sol1': 'ta" + i + "', 'sol2': 'tb" + i + "', 'label': " + i % 2
                    + "}"));
        }
        String doc2 = j("{'goal': 'vg2', 'sol1': 'va2', 'sol2': 'vb2', 'label': 0}");
        // PIQA's rows are {goal, sol1, sol2, label}: a train row equal to document 2 is the document for lm-eval
        train.set(5, doc2);
        Path trainFile = Files2.lines(dir, "train.jsonl", train.toArray(String[]::new));
        Path valFile = Files2.lines(dir, "valid.jsonl",
                j("{'goal': 'vg0', 'sol1': 'va0', 'sol2': 'vb0', 'label': 1}"),
                j("{'goal': 'vg1', 'sol1': 'va1', 'sol2': 'vb1', 'label': 0}"),
                doc2,
                j("{'goal': 'vg3', 'sol1': 'va3', 'sol2': 'vb3', 'label': 1}"),
                j("{'goal': 'vg4', 'sol1': 'va4', 'sol2': 'vb4', 'label': 1}"));
        List<TaskItem> items = TaskLoader.load(TaskRegistry.PIQA, valFile, 0, TWO_SHOT, trainFile);

        assertEquals(List.of(0, 6), items.get(1).fewshotExamples());
        assertEquals(List.of(0, 6), items.get(2).fewshotExamples(), "[0, 5, 6] without 5, the document itself");
        assertEquals(List.of(0, 6), items.get(4).fewshotExamples());
        assertEquals(List.of(List.of(6, 3), List.of(0, 6), List.of(0, 6), List.of(0, 2), List.of(0, 6)),
                examples(items));
        assertEquals("Question: tg0\nAnswer: ta0\n\nQuestion: tg2\nAnswer: ta2\n\nQuestion: vg3\nAnswer:",
                items.get(3).choices().get(0).context());
    }

    @Test
    void boolqRecognisesTheDocumentByContentAndIdx(@TempDir Path dir) {
        List<String> train = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            train.add(boolqRow("tq" + i, "TP" + i, i, i % 2));
        }
        // SuperGLUE rows hold idx, the position in the split. Train row 5 equals document 5, idx included: it is
        // the document. Train row 0 has document 3's text at idx 0: lm-eval's rows differ, so it stays.
        train.set(5, boolqRow("vq5", "VP5", 5, 1));
        train.set(0, boolqRow("vq3", "VP3", 0, 0));
        List<String> validation = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            validation.add(boolqRow("vq" + i, "VP" + i, i, i == 5 ? 1 : 0));
        }
        Path trainFile = Files2.lines(dir, "boolq_train.jsonl", train.toArray(String[]::new));
        Path valFile = Files2.lines(dir, "boolq_val.jsonl", validation.toArray(String[]::new));
        List<TaskItem> items = TaskLoader.load(TaskRegistry.BOOLQ, valFile, 0, TWO_SHOT, trainFile);

        assertEquals(List.of(List.of(6, 3), List.of(0, 6), List.of(0, 5), List.of(0, 2), List.of(0, 6),
                List.of(2, 4)), examples(items), "document 5: [2, 5, 4] without 5");
        assertEquals("VP3\nQuestion: vq3?\nAnswer: no\n\nTP2\nQuestion: tq2?\nAnswer: no\n\n"
                + "VP3\nQuestion: vq3?\nAnswer:", items.get(3).choices().get(1).context());
    }

    private static String boolqRow(String question, String passage, int idx, int label) {
        return j("{'question': '" + question + "', 'passage': '" + passage + "', 'idx': " + idx + ", 'label': "
                + label + "}");
    }

    /**
     * HellaSwag's train split has 39,905 rows, so {@code sample} takes its set branch (the pool holds more than
     * {@code setsize}, 85 for 11 draws). python3, once: {@code r = Random(1234); d = [r.sample(range(39905), 11)
     * for _ in range(501)]}; document i's examples are {@code d[i][:10]} (no validation row is a train row).
     * Drawing 10 instead gives document 1 {@code [1142, 2019, ...]}: document 0's eleventh draw first, the lag the
     * issue saw (its document 1 started with another example).
     */
    @Test
    void tenShotFromAHellaswagSizedTrainSplit() {
        List<TaskItem> pool = new ArrayList<>(39905);
        for (int i = 0; i < 39905; i++) {
            pool.add(new TaskItem(i, List.of(Choice.of("t" + i, "e")), 0));
        }
        List<TaskItem> validation = new ArrayList<>();
        for (int i = 0; i < 501; i++) {
            validation.add(new TaskItem(i, List.of(Choice.of("v" + i, "e")), 0));
        }
        List<TaskItem> items = new FewShotPrompts(TaskRegistry.HELLASWAG, pool, Path.of("train.jsonl"), false)
                .apply(validation, 501, FewShotRequest.of(10));

        assertEquals(List.of(28883, 7657, 490, 5940, 38156, 2288, 5500, 6450, 23241, 15519),
                items.get(0).fewshotExamples());
        assertEquals(List.of(2019, 1038, 22681, 31735, 30379, 9735, 5982, 11999, 7498, 958),
                items.get(1).fewshotExamples());
        assertEquals(List.of(31899, 16372, 4231, 35460, 30533, 4493, 39417, 5828, 33753, 37945),
                items.get(2).fewshotExamples());
        assertEquals(List.of(9848, 33088, 39415, 12591, 9321, 3509, 8143, 22153, 5988, 30983),
                items.get(500).fewshotExamples());
        assertNotEquals(1142, items.get(1).fewshotExamples().get(0));
        assertEquals("t2019 e\n\n", items.get(1).goldChoice().context().substring(0, "t2019 e\n\n".length()));
    }

    @Test
    void arcFromItsTrainFileDrawsTwoAndRemovesNothing(@TempDir Path dir) {
        // arc_easy.yaml sets test_split: test, so fewshot_split (None) != test_split: Random(1234).sample(train, 2).
        // python3: r = Random(1234); [r.sample(range(7), 2) for _ in range(3)] -> [6, 3], [0, 6], [0, 4]
        List<String> train = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            train.add(j("{'query': 'Question: t" + i + "', 'choices': ['x', 'y'], 'gold': 0}"));
        }
        String doc2 = j("{'query': 'Question: v2', 'choices': ['x', 'y'], 'gold': 1}");
        train.set(4, doc2); // drawn for document 2, and kept: no eval_doc is passed
        Path trainFile = Files2.lines(dir, "arc_train.jsonl", train.toArray(String[]::new));
        Path testFile = Files2.lines(dir, "arc_test.jsonl",
                j("{'query': 'Question: v0', 'choices': ['x', 'y'], 'gold': 1}"),
                j("{'query': 'Question: v1', 'choices': ['x', 'y'], 'gold': 0}"), doc2);
        List<TaskItem> items = TaskLoader.load(TaskRegistry.ARC_EASY, testFile, 0, TWO_SHOT, trainFile);
        assertEquals(List.of(List.of(6, 3), List.of(0, 6), List.of(0, 4)), examples(items));
    }

    @Test
    void howEachTaskRecognisesItsDocumentInAnotherFile() {
        assertEquals(EvalDocMatch.NEVER, EvalDocMatch.forPool(TaskFormat.HELLASWAG, false));
        assertEquals(EvalDocMatch.SAME_CONTENT, EvalDocMatch.forPool(TaskFormat.PIQA, false));
        assertEquals(EvalDocMatch.SAME_CONTENT, EvalDocMatch.forPool(TaskFormat.WINOGRANDE, false));
        assertEquals(EvalDocMatch.SAME_CONTENT_AND_POSITION, EvalDocMatch.forPool(TaskFormat.BOOLQ, false));
        assertEquals(EvalDocMatch.SAME_CONTENT_AND_POSITION, EvalDocMatch.forPool(TaskFormat.COPA, false));
        for (TaskFormat format : TaskFormat.values()) {
            assertEquals(EvalDocMatch.SAME_POSITION, EvalDocMatch.forPool(format, true), format.name());
        }
        TaskItem doc = new TaskItem(3, List.of(Choice.of("c", "a"), Choice.of("c", "b")), 1);
        TaskItem sameElsewhere = new TaskItem(0, doc.choices(), 1);
        TaskItem otherGold = new TaskItem(3, doc.choices(), 0);
        assertEquals(List.of(false, true, false), List.of(EvalDocMatch.SAME_POSITION.matches(doc, sameElsewhere),
                EvalDocMatch.SAME_CONTENT.matches(doc, sameElsewhere),
                EvalDocMatch.SAME_CONTENT_AND_POSITION.matches(doc, sameElsewhere)));
        assertEquals(List.of(true, false, false), List.of(EvalDocMatch.SAME_POSITION.matches(doc, otherGold),
                EvalDocMatch.SAME_CONTENT.matches(doc, otherGold),
                EvalDocMatch.SAME_CONTENT_AND_POSITION.matches(doc, otherGold)));
        assertEquals(true, EvalDocMatch.SAME_CONTENT_AND_POSITION.matches(doc, new TaskItem(3, doc.choices(), 1)));
        assertEquals(false, EvalDocMatch.NEVER.matches(doc, doc));
    }
}
