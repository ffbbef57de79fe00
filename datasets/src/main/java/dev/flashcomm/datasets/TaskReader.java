package dev.flashcomm.datasets;

import java.nio.file.Path;
import java.util.List;

/** Reads the items of one task file; {@code limit <= 0} means all items. */
interface TaskReader {
    List<TaskItem> read(SourceLines source, int limit);

    /**
     * Files besides {@code file} that {@link #read} takes item content from (PIQA's labels), whether or not they
     * exist: the reader that opens them is the one that names them.
     */
    default List<Path> sideFiles(Path file) {
        return List.of();
    }
}
