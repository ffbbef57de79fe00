package dev.flashcomm.eval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.flashcomm.datasets.DataException;
import dev.flashcomm.datasets.FewShotRequest;
import dev.flashcomm.datasets.TaskRegistry;
import dev.flashcomm.eval.InputException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** {@code --tasks}, {@code --task-file} and {@code --data-root} together. */
class TaskSelectionTest {

    private static final Path ROOT = Path.of("data");

    @Test
    void namesResolveUnderTheDataRootAndTaskFilesOverrideAndAdd() {
        Path mine = Path.of("mine/copa.jsonl");
        List<TaskSource> tasks = TaskSelection.resolve("piqa, hellaswag", Map.of("copa", mine,
                "hellaswag", Path.of("h.txt")), ROOT);
        assertEquals(List.of(
                new TaskSource(TaskRegistry.PIQA, ROOT.resolve("piqa/valid.jsonl")),
                new TaskSource(TaskRegistry.HELLASWAG, Path.of("h.txt")),
                new TaskSource(TaskRegistry.COPA, mine)), tasks);
    }

    @Test
    void allAndNone() {
        assertEquals(TaskRegistry.names(), TaskSelection.resolve("all", Map.of(), ROOT).stream()
                .map(t -> t.spec().name()).toList());
        assertEquals(List.of(), TaskSelection.resolve("none", Map.of(), null));
    }

    @Test
    void unknownTaskListsTheKnownOnes() {
        DataException e = assertThrows(DataException.class, () -> TaskSelection.resolve("piqa,pica", Map.of(), ROOT));
        assertEquals("unknown task or group 'pica'; known: " + String.join(", ", TaskRegistry.names()) + ", gsm8k, groups mmlu, mmlu_stem, mmlu_humanities, mmlu_social_sciences, mmlu_other, "
                + "mmlu_<subject> for the 57 subjects", e.getMessage());
    }

    @Test
    void taskWithoutFileOrDataRootIsAnInputError() {
        InputException e = assertThrows(InputException.class,
                () -> TaskSelection.resolve("piqa,copa", Map.of("copa", Path.of("c.jsonl")), null));
        assertEquals("--data-root is required for piqa (or give --task-file TASK=FILE)", e.getMessage());
    }
    @Test
    void groupsExpandToTheirSubjectsAndEveryTaskGetsItsLmEvalShots() {
        List<TaskSource> tasks = TaskSelection.resolve("gsm8k,mmlu_stem,piqa", Map.of(), ROOT);
        List<String> stem = TaskRegistry.mmluSubjects().stream().filter(s -> s.category().equals("stem"))
                .map(s -> "mmlu_" + s.name()).toList();
        assertEquals(2 + stem.size(), tasks.size());
        assertEquals(stem, tasks.subList(1, 1 + stem.size()).stream().map(t -> t.spec().name()).toList());
        TaskSource gsm8k = tasks.get(0);
        assertEquals(new FewShotRequest(5, 1234), gsm8k.fewshot());
        assertEquals(Optional.of(ROOT.resolve("gsm8k/train.jsonl")), gsm8k.fewshotFile());
        assertEquals("lm-eval 5-shot seed=1234 greedy max_gen_toks=256", gsm8k.protocol());
        TaskSource algebra = tasks.get(1);
        assertEquals(0, algebra.fewshot().shots(), "lm-eval's MMLU YAML sets no num_fewshot");
        assertEquals(Optional.empty(), algebra.fewshotFile(), "a 0-shot cell reads no few-shot file");
        assertEquals("lm-eval 0-shot", algebra.protocol());
        assertEquals("lm-eval 0-shot", tasks.get(tasks.size() - 1).protocol());
        assertEquals(58, TaskSelection.resolve("mmlu,gsm8k,mmlu_stem", Map.of(), ROOT).size(),
                "the 57 subjects once, whatever else names them, and gsm8k");
    }

    @Test
    void numFewshotSeedCapAndFewshotFilesOverrideTheDefaults() {
        Path train = Path.of("my-train.jsonl");
        PromptOptions options = new PromptOptions(OptionalInt.of(3), 42, Map.of("gsm8k", train), OptionalInt.of(64));
        List<TaskSource> tasks = TaskSelection.resolve("gsm8k,mmlu_anatomy,copa", Map.of(), ROOT, options);
        assertEquals(new FewShotRequest(3, 42), tasks.get(0).fewshot());
        assertEquals(Optional.of(train), tasks.get(0).fewshotFile());
        assertEquals(64, tasks.get(0).spec().generation().maxGenTokens());
        assertEquals("lm-eval 3-shot seed=42 greedy max_gen_toks=64", tasks.get(0).protocol());
        assertEquals(Optional.of(ROOT.resolve("mmlu/dev/anatomy_dev.csv")), tasks.get(1).fewshotFile());
        assertEquals("lm-eval 3-shot", tasks.get(1).protocol(), "first_n draws nothing, so no seed");
        assertEquals(Optional.empty(), tasks.get(2).fewshotFile(), "copa has no few-shot split: the rest of its file");
        assertEquals(null, tasks.get(2).spec().generation());
    }

    @Test
    void aFewshotFileForATaskNotSelectedIsAnInputError() {
        PromptOptions options = new PromptOptions(OptionalInt.empty(), 1234, Map.of("gsm8k", Path.of("t.jsonl")),
                OptionalInt.empty());
        InputException e = assertThrows(InputException.class,
                () -> TaskSelection.resolve("piqa", Map.of(), ROOT, options));
        assertEquals("--fewshot-file gsm8k=...: gsm8k is not among the selected tasks", e.getMessage());
    }
}
