package dev.flashcomm.eval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashcomm.datasets.MmluSubject;
import dev.flashcomm.datasets.TaskRegistry;
import dev.flashcomm.results.CellKey;
import dev.flashcomm.results.ItemScore;
import dev.flashcomm.results.ResultRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** MMLU's group rows from hand-made subject rows: both means, their stderrs and the pooled items. */
class TaskGroupAggregatesTest {

    /** Subject s gets s % 3 + 1 questions, the first of them right when s is even. */
    private static void subjects(String comm, List<MmluSubject> which, List<ResultRow> rows,
                                 Map<CellKey, List<ItemScore>> items) {
        for (MmluSubject subject : which) {
            int s = TaskRegistry.mmluSubjects().indexOf(subject);
            int n = s % 3 + 1;
            List<ItemScore> scores = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                scores.add(new ItemScore(i, i == 0 && s % 2 == 0 ? 1 : 0, 1));
            }
            double acc = scores.stream().mapToDouble(ItemScore::value).sum() / n;
            double stderr = n > 1 ? 0.1 : Double.NaN;
            ResultRow row = ResultRow.measured("m", 2, comm, "fake", subject.taskName(), "acc", acc, stderr, n,
                    100L * (s + 1), 1.0, "lm-eval 5-shot", 1, "limit=0", "t");
            rows.add(row);
            items.put(row.cell(), scores);
        }
    }

    @Test
    void everyCompleteGroupGetsBothMeans() {
        List<ResultRow> rows = new ArrayList<>();
        Map<CellKey, List<ItemScore>> items = new LinkedHashMap<>();
        subjects("fp16", TaskRegistry.mmluSubjects(), rows, items);
        TaskGroupAggregates.addTo(rows, items);
        List<ResultRow> groups = rows.subList(57, rows.size());
        assertEquals(List.of("mmlu acc", "mmlu acc_subject_mean", "mmlu_stem acc", "mmlu_stem acc_subject_mean",
                "mmlu_humanities acc", "mmlu_humanities acc_subject_mean", "mmlu_social_sciences acc",
                "mmlu_social_sciences acc_subject_mean", "mmlu_other acc", "mmlu_other acc_subject_mean"),
                groups.stream().map(r -> r.task() + " " + r.metric()).toList());

        int questions = 0;
        int right = 0;
        double subjectMean = 0;
        double variance = 0;
        for (int s = 0; s < 57; s++) {
            questions += s % 3 + 1;
            right += s % 2 == 0 ? 1 : 0;
            subjectMean += (s % 2 == 0 ? 1.0 : 0.0) / (s % 3 + 1) / 57;
            variance += s % 3 == 0 ? 0 : 0.01;
        }
        ResultRow mmlu = groups.get(0);
        assertEquals((double) right / questions, mmlu.value(), 1e-15);
        assertEquals(questions, mmlu.n());
        assertEquals("lm-eval 5-shot", mmlu.protocol());
        assertEquals("limit=0;subjects=57", mmlu.settings());
        ResultRow macro = groups.get(1);
        assertEquals(subjectMean, macro.value(), 1e-15);
        assertEquals(Math.sqrt(variance) / 57, macro.stderr(), 1e-15);

        List<ItemScore> pooled = items.get(mmlu.cell());
        assertEquals(questions, pooled.size());
        assertEquals(pooled, items.get(macro.cell()));
        for (int i = 0; i < pooled.size(); i++) {
            assertEquals(i, pooled.get(i).item(), "items are renumbered subject after subject");
        }
        double p = right / (double) questions;
        double se = Math.sqrt(p * (1 - p) * questions / (questions - 1) / questions);
        assertEquals(se, mmlu.stderr(), 1e-12);
    }

    @Test
    void groupsAlreadyThereAreNotAddedTwice() {
        List<ResultRow> rows = new ArrayList<>();
        Map<CellKey, List<ItemScore>> items = new LinkedHashMap<>();
        subjects("fp16", TaskRegistry.mmluSubjects(), rows, items);
        SweepOutputs.Measurements once = TaskGroupAggregates.withGroups(new SweepOutputs.Measurements(rows, items));
        assertEquals(57 + 10, once.rows().size());
        assertEquals(once, TaskGroupAggregates.withGroups(once));
    }

    @Test
    void aGroupWithASubjectMissingGetsNoRowButTheOthersDo() {
        List<ResultRow> rows = new ArrayList<>();
        Map<CellKey, List<ItemScore>> items = new LinkedHashMap<>();
        List<MmluSubject> noAnatomy = TaskRegistry.mmluSubjects().stream()
                .filter(s -> !s.name().equals("anatomy")).toList();
        subjects("fp16", noAnatomy, rows, items);
        subjects("int4", TaskRegistry.mmluSubjects().stream().filter(s -> s.category().equals("other")).toList(),
                rows, items);
        int before = rows.size();
        TaskGroupAggregates.addTo(rows, items);
        List<String> added = rows.subList(before, rows.size()).stream()
                .map(r -> r.comm() + " " + r.task() + " " + r.metric()).toList();
        assertTrue(added.stream().noneMatch(a -> a.contains(" mmlu ") || a.contains("mmlu_stem")), added.toString());
        assertEquals(List.of("fp16 mmlu_humanities acc", "fp16 mmlu_humanities acc_subject_mean",
                "fp16 mmlu_social_sciences acc", "fp16 mmlu_social_sciences acc_subject_mean", "fp16 mmlu_other acc",
                "fp16 mmlu_other acc_subject_mean", "int4 mmlu_other acc", "int4 mmlu_other acc_subject_mean"), added);
    }
}
