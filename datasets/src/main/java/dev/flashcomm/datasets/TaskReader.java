package dev.flashcomm.datasets;

import java.util.List;

/** Reads the items of one task file; {@code limit <= 0} means all items. */
interface TaskReader {
    List<TaskItem> read(SourceLines source, int limit);
}
