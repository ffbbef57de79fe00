package dev.flashcomm.datasets;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A task as data (lm-eval's task YAML): what it is called, how it is scored, and where its file lives.
 *
 * @param version     recorded next to every result, so a change of prompt or parsing never mixes with old numbers
 * @param defaultFile path relative to a data root laid out like {@code shared/data}, e.g. {@code "piqa/valid.jsonl"}
 * @param format      which reader parses the file
 * @param fewshot     few-shot settings (lm-eval's defaults, {@link FewShotSpec#LM_EVAL_DEFAULT}, for most tasks)
 * @param generation  how to generate, for {@link OutputType#GENERATE_UNTIL} tasks only (null for the others)
 */
public record TaskSpec(String name, OutputType type, List<Metric> metrics, int version, String defaultFile,
                       TaskFormat format, FewShotSpec fewshot, GenerationSpec generation) {
    public TaskSpec {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("task name must not be blank");
        }
        Objects.requireNonNull(type, "type");
        metrics = List.copyOf(metrics);
        if (metrics.isEmpty()) {
            throw new IllegalArgumentException("task " + name + " needs at least one metric");
        }
        if (metrics.stream().distinct().count() != metrics.size()) {
            throw new IllegalArgumentException("task " + name + " lists a metric twice: " + metrics);
        }
        if (version < 1) {
            throw new IllegalArgumentException("task version must be >= 1, got " + version);
        }
        Objects.requireNonNull(defaultFile, "defaultFile");
        if (defaultFile.isBlank() || Path.of(defaultFile).isAbsolute()) {
            throw new IllegalArgumentException("defaultFile must be a relative path, got '" + defaultFile + "'");
        }
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(fewshot, "fewshot");
        if ((type == OutputType.GENERATE_UNTIL) != (generation != null)) {
            throw new IllegalArgumentException("task " + name + ": a generation spec goes with "
                    + OutputType.GENERATE_UNTIL + " and only with it (type " + type + ")");
        }
    }

    /** A zero-shot task with lm-eval's default few-shot settings and no generation (not GENERATE_UNTIL). */
    public TaskSpec(String name, OutputType type, List<Metric> metrics, int version, String defaultFile,
                    TaskFormat format) {
        this(name, type, metrics, version, defaultFile, format, FewShotSpec.LM_EVAL_DEFAULT, null);
    }

    /** A variant under another name (lm-eval's {@code include:} plus a new {@code task:}). */
    public TaskSpec withName(String newName) {
        return new TaskSpec(newName, type, metrics, version, defaultFile, format, fewshot, generation);
    }

    /** The same task read from another default file. */
    public TaskSpec withFile(String newDefaultFile) {
        return new TaskSpec(name, type, metrics, version, newDefaultFile, format, fewshot, generation);
    }

    /** The same task at another version. */
    public TaskSpec withVersion(int newVersion) {
        return new TaskSpec(name, type, metrics, newVersion, defaultFile, format, fewshot, generation);
    }

    /** The same task with other few-shot settings. */
    public TaskSpec withFewShot(FewShotSpec newFewshot) {
        return new TaskSpec(name, type, metrics, version, defaultFile, format, newFewshot, generation);
    }

    /** The same generation task with another cap on new tokens (lm-eval's {@code max_gen_toks}). */
    public TaskSpec withMaxGenTokens(int maxGenTokens) {
        if (generation == null) {
            throw new IllegalArgumentException("task " + name + " generates nothing (type " + type + ")");
        }
        return new TaskSpec(name, type, metrics, version, defaultFile, format, fewshot,
                new GenerationSpec(generation.until(), maxGenTokens));
    }

    /** Where this task's few-shot file is under {@code dataRoot}; empty when it has none (rest of the eval file). */
    public Optional<Path> fewshotFileUnder(Path dataRoot) {
        return Optional.ofNullable(fewshot.fewshotFile()).map(dataRoot::resolve);
    }

    /** Where this task's file is under {@code dataRoot}. */
    public Path fileUnder(Path dataRoot) {
        return dataRoot.resolve(defaultFile);
    }
}
