package dev.flashcomm.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Loads every task file in shared/data; skipped where shared/ is absent. */
class SharedTaskFilesTest {
    static final Path SHARED = Path.of(System.getProperty("flashcomm.shared", "../shared"));
    static final Path DATA = SHARED.resolve("data");

    @BeforeAll
    static void needShared() {
        assumeTrue(Files.isDirectory(DATA), () -> "skipped: no fixtures at " + DATA.toAbsolutePath());
    }

    static Stream<Arguments> counts() {
        return Stream.of(arguments("piqa", 1838, 2), arguments("arc_easy", 2376, 0), arguments("arc_challenge", 1172, 0),
                arguments("hellaswag", 10042, 4), arguments("winogrande", 1267, 2), arguments("lambada_openai", 5153, 1),
                arguments("boolq", 3270, 2), arguments("openbookqa", 500, 4), arguments("copa", 100, 2));
    }

    /** {@code choices == 0}: the number of choices varies per item (ARC has 3 to 5). */
    @ParameterizedTest(name = "{0}: {1} items")
    @MethodSource("counts")
    void defaultFileLoadsWithTheExpectedItemCount(String name, int count, int choices) {
        TaskSpec spec = TaskRegistry.require(name);
        List<TaskItem> items = TaskLoader.loadDefault(spec, DATA, 0);
        assertEquals(count, items.size());
        for (int i = 0; i < items.size(); i++) {
            TaskItem item = items.get(i);
            assertEquals(i, item.index());
            if (choices > 0) {
                assertEquals(choices, item.choices().size(), name + " item " + i);
            }
            for (Choice c : item.choices()) {
                assertTrue(c.continuation().startsWith(" "), name + " item " + i);
                assertTrue(c.normLength() > 0, name + " item " + i);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("counts")
    void limitReturnsThePrefix(String name, int count, int choices) {
        TaskSpec spec = TaskRegistry.require(name);
        List<TaskItem> five = TaskLoader.loadDefault(spec, DATA, 5);
        assertEquals(TaskLoader.loadDefault(spec, DATA, 0).subList(0, 5), five);
        assertEquals(count, TaskLoader.loadDefault(spec, DATA, count + 10).size());
    }

    @Test
    void promptShapesMatchTheProtocols() {
        for (TaskItem item : TaskLoader.loadDefault(TaskRegistry.ARC_CHALLENGE, DATA, 0)) {
            String ctx = item.choices().get(0).context();
            assertTrue(ctx.startsWith("Question: ") && ctx.endsWith("\nAnswer:"), ctx);
        }
        for (TaskItem item : TaskLoader.loadDefault(TaskRegistry.PIQA, DATA, 0)) {
            String ctx = item.choices().get(0).context();
            assertTrue(ctx.startsWith("Question: ") && ctx.endsWith("\nAnswer:"), ctx);
        }
        for (TaskItem item : TaskLoader.loadDefault(TaskRegistry.BOOLQ, DATA, 0)) {
            assertEquals(List.of(" no", " yes"), item.choices().stream().map(Choice::continuation).toList());
            assertTrue(item.choices().get(0).context().endsWith("?\nAnswer:"));
        }
        for (TaskItem item : TaskLoader.loadDefault(TaskRegistry.WINOGRANDE, DATA, 0)) {
            assertEquals(item.choices().get(0).continuation(), item.choices().get(1).continuation());
        }
        for (TaskItem item : TaskLoader.loadDefault(TaskRegistry.LAMBADA_OPENAI, DATA, 0)) {
            assertEquals(0, item.gold());
            assertTrue(item.goldChoice().continuation().length() > 1);
        }
    }

    @Test
    void goldIndicesComeFromTheLabelsAndAnswerKeys() throws Exception {
        List<TaskItem> piqa = TaskLoader.loadDefault(TaskRegistry.PIQA, DATA, 0);
        List<String> labels = Files.readAllLines(DATA.resolve("piqa/valid-labels.lst"));
        for (int i = 0; i < piqa.size(); i++) {
            assertEquals(Integer.parseInt(labels.get(i).strip()), piqa.get(i).gold(), "piqa item " + i);
        }
        // Both classes occur, so a reader that always returned 0 would fail.
        for (TaskSpec spec : List.of(TaskRegistry.PIQA, TaskRegistry.OPENBOOKQA, TaskRegistry.HELLASWAG,
                TaskRegistry.WINOGRANDE, TaskRegistry.BOOLQ, TaskRegistry.COPA)) {
            long distinct = TaskLoader.loadDefault(spec, DATA, 0).stream().mapToInt(TaskItem::gold).distinct().count();
            assertTrue(distinct >= 2, spec.name());
        }
    }
}
