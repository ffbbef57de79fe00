package dev.flashcomm.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A task's data identity is every file its reader takes item content from, side files included. */
class TaskDataFilesTest {

    @Test
    void piqaNamesItsLabelsFileWhenItIsThere(@TempDir Path tmp) throws IOException {
        Path valid = Files.writeString(tmp.resolve("valid.jsonl"), "{\"goal\": \"g\", \"sol1\": \"a\", \"sol2\": \"b\"}\n");
        assertEquals(List.of(valid), TaskLoader.dataFiles(TaskRegistry.PIQA, valid));
        Path labels = Files.writeString(tmp.resolve("valid-labels.lst"), "1\n");
        assertEquals(List.of(valid, labels), TaskLoader.dataFiles(TaskRegistry.PIQA, valid));
        assertEquals(1, TaskLoader.load(TaskRegistry.PIQA, valid).get(0).gold(), "the reader reads that same file");
    }

    @Test
    void otherTasksHaveNoSideFiles(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("test.jsonl"), "{}\n");
        Files.writeString(tmp.resolve("test-labels.lst"), "1\n");
        assertEquals(List.of(file), TaskLoader.dataFiles(TaskRegistry.BOOLQ, file));
    }
}
