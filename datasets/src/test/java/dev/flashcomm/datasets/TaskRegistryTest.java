package dev.flashcomm.datasets;

import static dev.flashcomm.datasets.Metric.ACC;
import static dev.flashcomm.datasets.Metric.ACC_NORM;
import static dev.flashcomm.datasets.Metric.PERPLEXITY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TaskRegistryTest {
    @Test
    void knowsTheNineTasksInOrder() {
        assertEquals(List.of("piqa", "arc_easy", "arc_challenge", "hellaswag", "winogrande", "lambada_openai", "boolq",
                "openbookqa", "copa"), TaskRegistry.names());
    }

    @Test
    void findIsExactAndCaseSensitive() {
        assertEquals(Optional.of(TaskRegistry.PIQA), TaskRegistry.find("piqa"));
        assertTrue(TaskRegistry.find("PIQA").isEmpty());
        assertTrue(TaskRegistry.find("mmlu").isEmpty());
    }

    @Test
    void unknownTaskListsTheKnownOnes() {
        DataException e = assertThrows(DataException.class, () -> TaskRegistry.require("mmlu"));
        assertEquals("unknown task 'mmlu'; known: piqa, arc_easy, arc_challenge, hellaswag, winogrande, "
                + "lambada_openai, boolq, openbookqa, copa", e.getMessage());
    }

    @Test
    void specsFollowLmEval() {
        assertEquals(List.of(ACC, ACC_NORM), TaskRegistry.require("piqa").metrics());
        assertEquals(List.of(ACC, ACC_NORM), TaskRegistry.require("hellaswag").metrics());
        assertEquals(List.of(ACC), TaskRegistry.require("winogrande").metrics());
        assertEquals(List.of(ACC), TaskRegistry.require("boolq").metrics());
        assertEquals(List.of(ACC), TaskRegistry.require("copa").metrics());
        TaskSpec lambada = TaskRegistry.require("lambada_openai");
        assertEquals(OutputType.GREEDY_CONTINUATION, lambada.type());
        assertEquals(List.of(PERPLEXITY, ACC), lambada.metrics());
        TaskSpec challenge = TaskRegistry.require("arc_challenge");
        assertEquals("arc/arc_challenge_test.jsonl", challenge.defaultFile());
        assertEquals(TaskFormat.ARC, challenge.format());
        assertEquals(TaskRegistry.ARC_EASY.metrics(), challenge.metrics());
        for (TaskSpec spec : TaskRegistry.all()) {
            assertEquals(spec == TaskRegistry.COPA ? 2 : 1, spec.version(), spec.name());
            if (spec != TaskRegistry.LAMBADA_OPENAI) {
                assertEquals(OutputType.MULTIPLE_CHOICE, spec.type(), spec.name());
            }
        }
    }

    @Test
    void metricsHaveIdsAndAggregations() {
        assertEquals("acc", ACC.id());
        assertEquals("acc_norm", ACC_NORM.id());
        assertEquals("perplexity", PERPLEXITY.id());
        assertEquals(Optional.of(ACC_NORM), Metric.fromId("acc_norm"));
        assertTrue(Metric.fromId("f1").isEmpty());
        assertEquals(0.75, ACC.aggregation().aggregate(new double[] {1, 1, 0, 1}), 1e-15);
        // exp(-mean(ln 0.5, ln 0.125)) = exp(-ln(0.25)) = 4
        assertEquals(4.0, PERPLEXITY.aggregation().aggregate(new double[] {Math.log(0.5), Math.log(0.125)}), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Aggregation.MEAN.aggregate(new double[0]));
    }

    @Test
    void specValidatesAndCopies() {
        List<Metric> metrics = new java.util.ArrayList<>(List.of(ACC));
        TaskSpec spec = new TaskSpec("t", OutputType.MULTIPLE_CHOICE, metrics, 1, "t/t.jsonl", TaskFormat.COPA);
        metrics.add(ACC_NORM);
        assertEquals(List.of(ACC), spec.metrics());
        assertThrows(IllegalArgumentException.class,
                () -> new TaskSpec(" ", OutputType.MULTIPLE_CHOICE, List.of(ACC), 1, "t.jsonl", TaskFormat.COPA));
        assertThrows(IllegalArgumentException.class,
                () -> new TaskSpec("t", OutputType.MULTIPLE_CHOICE, List.of(), 1, "t.jsonl", TaskFormat.COPA));
        assertThrows(IllegalArgumentException.class,
                () -> new TaskSpec("t", OutputType.MULTIPLE_CHOICE, List.of(ACC, ACC), 1, "t.jsonl", TaskFormat.COPA));
        assertThrows(IllegalArgumentException.class,
                () -> new TaskSpec("t", OutputType.MULTIPLE_CHOICE, List.of(ACC), 0, "t.jsonl", TaskFormat.COPA));
        assertThrows(IllegalArgumentException.class,
                () -> new TaskSpec("t", OutputType.MULTIPLE_CHOICE, List.of(ACC), 1, "/abs/t.jsonl", TaskFormat.COPA));
        assertEquals(2, spec.withVersion(2).version());
        assertEquals(java.nio.file.Path.of("root", "t", "t.jsonl"), spec.fileUnder(java.nio.file.Path.of("root")));
    }

    @Test
    void recordsValidateAndCopy() {
        Choice a = Choice.of("ctx", "\uD83C\uDF55 slice");
        assertEquals(" \uD83C\uDF55 slice", a.continuation());
        assertEquals(7, a.normLength());
        assertThrows(IllegalArgumentException.class, () -> new Choice("c", " x", -1));
        assertThrows(NullPointerException.class, () -> new Choice(null, " x", 1));
        List<Choice> choices = new java.util.ArrayList<>(List.of(a, Choice.of("ctx", "b")));
        TaskItem item = new TaskItem(0, choices, 1);
        choices.clear();
        assertEquals(2, item.choices().size());
        assertEquals(" b", item.goldChoice().continuation());
        assertThrows(IllegalArgumentException.class, () -> new TaskItem(0, List.of(a), 1));
        assertThrows(IllegalArgumentException.class, () -> new TaskItem(0, List.of(a), -1));
        assertThrows(IllegalArgumentException.class, () -> new TaskItem(0, List.of(), 0));
        assertThrows(IllegalArgumentException.class, () -> new TaskItem(-1, List.of(a), 0));
    }
}
