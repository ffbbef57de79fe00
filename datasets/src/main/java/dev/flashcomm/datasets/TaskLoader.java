package dev.flashcomm.datasets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Loads the items of a task from a file in the shared layout or in the task's original public release layout,
 * detected per line (HellaSwag: per file).
 */
public final class TaskLoader {
    private TaskLoader() {
    }

    /**
     * The first {@code limit} items of {@code file} ({@code limit <= 0}: all of them). Every line is read and
     * checked whatever the limit, so a file broken past the limit fails now, not in a later, larger run.
     *
     * @throws DataException if the file is missing or unreadable, a line is malformed, or it holds no item
     */
    public static List<TaskItem> load(TaskSpec spec, Path file, int limit) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(file, "file");
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0 (0 = all), got " + limit);
        }
        SourceLines source = SourceLines.read(file);
        List<TaskItem> items = readerFor(spec.format()).read(source, 0);
        if (items.isEmpty()) {
            throw DataException.in(file, "no items");
        }
        return List.copyOf(limit > 0 && limit < items.size() ? items.subList(0, limit) : items);
    }

    /**
     * The files the items of {@code file} are read from: the file itself, then each side file that exists (PIQA's
     * {@code valid-labels.lst}). This is the task's data identity: whoever fingerprints a task's data (the sweep's
     * cache key) hashes exactly these, so an edited side file can never go unnoticed.
     */
    public static List<Path> dataFiles(TaskSpec spec, Path file) {
        List<Path> files = new ArrayList<>();
        files.add(file);
        for (Path side : readerFor(spec.format()).sideFiles(file)) {
            if (Files.exists(side)) {
                files.add(side);
            }
        }
        return List.copyOf(files);
    }

    /** All items of {@code file}. */
    public static List<TaskItem> load(TaskSpec spec, Path file) {
        return load(spec, file, 0);
    }

    /** The items of the task's default file under a data root laid out like {@code shared/data}. */
    public static List<TaskItem> loadDefault(TaskSpec spec, Path dataRoot, int limit) {
        return load(spec, spec.fileUnder(dataRoot), limit);
    }

    private static TaskReader readerFor(TaskFormat format) {
        return switch (format) {
            case PIQA -> new PiqaReader();
            case ARC -> new JsonlReader(ArcReader::parse);
            case HELLASWAG -> new HellaswagReader();
            case WINOGRANDE -> new JsonlReader(WinograndeReader::parse);
            case LAMBADA -> new JsonlReader(LambadaReader::parse);
            case BOOLQ -> new JsonlReader(BoolqReader::parse);
            case OPENBOOKQA -> new JsonlReader(OpenbookqaReader::parse);
            case COPA -> new JsonlReader(CopaReader::parse);
        };
    }
}
