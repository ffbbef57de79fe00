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
     * The first {@code limit} items of {@code file} ({@code limit <= 0}: all of them), zero-shot: each context gets
     * the task's description (lm-eval prepends it at 0 shots too; the nine zero-shot tasks have none). Every line is
     * read and checked whatever the limit, so a file broken past the limit fails now, not in a later, larger run.
     *
     * @throws DataException if the file is missing or unreadable, a line is malformed, or it holds no item
     */
    public static List<TaskItem> load(TaskSpec spec, Path file, int limit) {
        return load(spec, file, limit, FewShotRequest.zeroShot(), null);
    }

    /**
     * The first {@code limit} items of {@code file} with lm-eval's few-shot prompts: every choice's context becomes
     * {@code description + ex_1 + fewshotDelimiter + ... + ex_n + fewshotDelimiter + context} and each item records
     * the pool positions of its examples ({@link TaskItem#fewshotExamples()}). The random sampler's draws depend on
     * the documents before each one, as in lm-eval (see {@link FewShotPrompts}); {@code limit} takes the first N
     * documents, as lm-eval's {@code --limit}.
     *
     * @param fewshotFileOrNull the pool (lm-eval's few-shot split, e.g. GSM8K's train file, MMLU's dev file); null
     *                          or the evaluated file itself: the evaluated file, each document left out of its own
     *                          examples, except for lambada_openai, whose one split is lm-eval's pool too (a
     *                          document can be its own example there). The other eight zero-shot tasks draw from
     *                          their train split in lm-eval, which our layout lacks: their examples match lm-eval's
     *                          only when that file is passed here
     * @throws DataException as above for either file, or naming the pool file when it holds too few items
     */
    public static List<TaskItem> load(TaskSpec spec, Path file, int limit, FewShotRequest fewshot,
                                      Path fewshotFileOrNull) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(fewshot, "fewshot");
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0 (0 = all), got " + limit);
        }
        List<TaskItem> items = readAll(spec, file);
        boolean sameFile = fewshotFileOrNull == null || sameFile(file, fewshotFileOrNull);
        Path poolFile = sameFile ? file : fewshotFileOrNull;
        List<TaskItem> pool = sameFile || fewshot.shots() == 0 ? items : readAll(spec, poolFile);
        int count = limit > 0 ? limit : items.size();
        return new FewShotPrompts(spec, pool, poolFile, sameFile).apply(items, count, fewshot);
    }

    private static List<TaskItem> readAll(TaskSpec spec, Path file) {
        SourceLines source = SourceLines.read(file);
        List<TaskItem> items = readerFor(spec.format()).read(source, 0);
        if (items.isEmpty()) {
            throw DataException.in(file, "no items");
        }
        return items;
    }

    private static boolean sameFile(Path a, Path b) {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
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

    /**
     * {@link #dataFiles(TaskSpec, Path)} of the evaluated file, then those of the few-shot file when there is one
     * (it changes the prompts, so it belongs to the data identity).
     */
    public static List<Path> dataFiles(TaskSpec spec, Path file, Path fewshotFileOrNull) {
        List<Path> files = new ArrayList<>(dataFiles(spec, file));
        if (fewshotFileOrNull != null && !sameFile(file, fewshotFileOrNull)) {
            files.addAll(dataFiles(spec, fewshotFileOrNull));
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

    /**
     * The items of the task's default file under a data root with few-shot prompts drawn from the task's few-shot
     * file there ({@link TaskSpec#fewshotFileUnder}), or from the rest of the evaluated file when it has none.
     */
    public static List<TaskItem> loadDefault(TaskSpec spec, Path dataRoot, int limit, FewShotRequest fewshot) {
        return load(spec, spec.fileUnder(dataRoot), limit, fewshot, spec.fewshotFileUnder(dataRoot).orElse(null));
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
            case GSM8K -> new JsonlReader(Gsm8kReader::parse);
            case MMLU -> new MmluReader();
        };
    }
}
