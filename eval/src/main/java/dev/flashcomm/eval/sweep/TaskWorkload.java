package dev.flashcomm.eval.sweep;

import dev.flashcomm.datasets.TaskItem;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** A task with its items loaded (the first {@code --limit} of them). */
public record TaskWorkload(TaskSource source, List<TaskItem> items, String dataIdentity) implements Workload {

    public TaskWorkload {
        Objects.requireNonNull(source, "source");
        items = List.copyOf(items);
        if (items.isEmpty()) {
            throw new IllegalArgumentException(source.file() + ": no items");
        }
        Objects.requireNonNull(dataIdentity, "dataIdentity");
    }

    @Override
    public String name() {
        return source.spec().name();
    }

    @Override
    public Path file() {
        return source.file();
    }
}
