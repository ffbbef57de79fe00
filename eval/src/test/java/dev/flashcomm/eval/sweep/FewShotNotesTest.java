package dev.flashcomm.eval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flashcomm.datasets.FewShotRequest;
import dev.flashcomm.datasets.TaskRegistry;
import dev.flashcomm.datasets.TaskSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The notes a sweep prints once about tasks whose examples come from the evaluated file. */
class FewShotNotesTest {

    private static TaskSource task(TaskSpec spec, int shots, Path pool) {
        return new TaskSource(spec, Path.of("data", spec.name() + ".jsonl"), FewShotRequest.of(shots),
                Optional.ofNullable(pool));
    }

    @Test
    void oneNoteForAllZeroShotTasksRunWithShotsFromTheirOwnFile() {
        List<TaskSource> tasks = List.of(
                task(TaskRegistry.PIQA, 2, null),
                task(TaskRegistry.HELLASWAG, 2, null),
                task(TaskRegistry.WINOGRANDE, 2, Path.of("winogrande_train.jsonl")), // lm-eval's pool: no note
                task(TaskRegistry.BOOLQ, 0, null), // zero-shot: no examples, no note
                task(TaskRegistry.ARC_EASY, 2, null),
                task(TaskRegistry.LAMBADA_OPENAI, 2, null));
        assertEquals(List.of(
                "piqa, hellaswag, arc_easy: few-shot examples are drawn from the evaluated file, each document left"
                        + " out of its own; lm-eval draws them from the train split, so these prompts are not"
                        + " lm-eval's: give --fewshot-file TASK=TRAIN_FILE for its examples",
                "lambada_openai: few-shot examples are drawn from the evaluated file, its only split, as lm-eval"
                        + " does: a document can be one of its own examples"),
                FewShotNotes.of(tasks));
    }

    @Test
    void aTaskWithAFewShotFileInTheLayoutNamesIt() {
        assertEquals(List.of("gsm8k: 5-shot examples come from the rest of " + Path.of("data", "gsm8k.jsonl")
                + ", not from gsm8k/train.jsonl as in lm-eval; give --fewshot-file gsm8k=FILE for lm-eval's"
                + " prompts"), FewShotNotes.of(List.of(task(TaskRegistry.GSM8K, 5, null))));
        assertEquals(List.of(), FewShotNotes.of(List.of(task(TaskRegistry.GSM8K, 5, Path.of("train.jsonl")),
                task(TaskRegistry.LAMBADA_OPENAI, 0, null))));
    }
}
