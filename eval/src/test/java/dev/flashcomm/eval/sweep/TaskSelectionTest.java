package dev.flashcomm.eval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.flashcomm.datasets.DataException;
import dev.flashcomm.datasets.TaskRegistry;
import dev.flashcomm.eval.InputException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
        assertEquals("unknown task 'pica'; known: " + String.join(", ", TaskRegistry.names()), e.getMessage());
    }

    @Test
    void taskWithoutFileOrDataRootIsAnInputError() {
        InputException e = assertThrows(InputException.class,
                () -> TaskSelection.resolve("piqa,copa", Map.of("copa", Path.of("c.jsonl")), null));
        assertEquals("--data-root is required for piqa (or give --task-file TASK=FILE)", e.getMessage());
    }
}
