package dev.flashcomm.eval.sweep;

import dev.flashcomm.datasets.TaskSpec;
import java.nio.file.Path;
import java.util.Objects;

/** A task of a sweep and the file its items are read from. */
public record TaskSource(TaskSpec spec, Path file) {

    public TaskSource {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(file, "file");
    }
}
