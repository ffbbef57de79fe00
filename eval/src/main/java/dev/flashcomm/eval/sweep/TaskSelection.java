package dev.flashcomm.eval.sweep;

import dev.flashcomm.datasets.FewShotRequest;
import dev.flashcomm.datasets.TaskRegistry;
import dev.flashcomm.datasets.TaskSpec;
import dev.flashcomm.eval.InputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns {@code --tasks}, {@code --task-file} and {@code --data-root} into the tasks of a sweep and their files; a
 * {@code --task-file agreement:NAME=FILE} is a generation-agreement task instead ({@link #agreements}).
 */
public final class TaskSelection {

    private TaskSelection() {
    }

    /** {@link #resolve(String, Map, Path, PromptOptions)} with lm-eval's default prompts. */
    public static List<TaskSource> resolve(String tasks, Map<String, Path> files, Path dataRoot) {
        return resolve(tasks, files, dataRoot, PromptOptions.DEFAULTS);
    }

    /**
     * @param tasks     {@code all} (the nine zero-shot tasks), {@code none}, or a comma list of task and group names
     *                  ({@code gsm8k}, {@code mmlu}, {@code mmlu_stem}, {@code mmlu_anatomy}, ...)
     * @param files     per-task files that override the data root; their tasks join the selection
     * @param dataRoot  a directory laid out like {@code shared/data}, or null when every task has its own file
     * @param prompts   shots, seed, few-shot files and the generation cap
     * @throws dev.flashcomm.datasets.DataException for an unknown task name (listing the known ones)
     * @throws InputException when a task has neither a file nor a data root, or a few-shot file names no selected
     *                        task
     */
    public static List<TaskSource> resolve(String tasks, Map<String, Path> files, Path dataRoot,
                                           PromptOptions prompts) {
        Map<String, TaskSpec> selected = new LinkedHashMap<>();
        String spec = tasks == null ? "none" : tasks.strip();
        if (spec.equals("all")) {
            TaskRegistry.all().forEach(s -> selected.put(s.name(), s));
        } else if (!spec.equals("none") && !spec.isEmpty()) {
            for (String name : spec.split(",")) {
                String n = name.strip();
                if (!n.isEmpty()) {
                    TaskRegistry.expand(n).forEach(s -> selected.put(s.name(), s));
                }
            }
        }
        files.keySet().stream().filter(n -> !PromptSource.isAgreement(n))
                .forEach(n -> selected.putIfAbsent(n, TaskRegistry.require(n)));
        for (String n : prompts.fewshotFiles().keySet()) {
            if (!selected.containsKey(n)) {
                throw new InputException("--fewshot-file " + n + "=...: " + n + " is not among the selected tasks");
            }
        }
        List<TaskSource> out = new ArrayList<>();
        List<String> homeless = new ArrayList<>();
        for (TaskSpec s : selected.values()) {
            Path file = files.get(s.name());
            if (file == null && dataRoot != null) {
                file = s.fileUnder(dataRoot);
            }
            if (file == null) {
                homeless.add(s.name());
                continue;
            }
            TaskSpec task = s;
            if (prompts.maxGenTokens().isPresent() && s.generation() != null) {
                task = s.withMaxGenTokens(prompts.maxGenTokens().getAsInt());
            }
            FewShotRequest fewshot = new FewShotRequest(prompts.numFewshot().orElse(s.fewshot().defaultShots()),
                    prompts.fewshotSeed());
            out.add(new TaskSource(task, file, fewshot, fewshotFile(s, fewshot, prompts, dataRoot)));
        }
        if (!homeless.isEmpty()) {
            throw new InputException("--data-root is required for " + String.join(", ", homeless)
                    + " (or give --task-file TASK=FILE)");
        }
        return List.copyOf(out);
    }

    /**
     * The pool a task's examples come from: {@code --fewshot-file}, else the task's few-shot file under the data root
     * (GSM8K's train split, MMLU's dev file), else none (the evaluated file itself). None at 0 shots, so that a
     * zero-shot cell's data identity does not hash a file it never reads.
     */
    private static Optional<Path> fewshotFile(TaskSpec s, FewShotRequest fewshot, PromptOptions prompts,
                                              Path dataRoot) {
        if (fewshot.shots() == 0) {
            return Optional.empty();
        }
        Path given = prompts.fewshotFiles().get(s.name());
        if (given != null) {
            return Optional.of(given);
        }
        return dataRoot == null ? Optional.empty() : s.fewshotFileUnder(dataRoot);
    }

    /**
     * The generation-agreement tasks among {@code files}: the keys {@code agreement:NAME}, each with its prompts file
     * (which {@link #resolve} leaves out).
     */
    public static List<PromptSource> agreements(Map<String, Path> files) {
        List<PromptSource> out = new ArrayList<>();
        files.forEach((name, file) -> {
            if (PromptSource.isAgreement(name)) {
                out.add(new PromptSource(name, file));
            }
        });
        return List.copyOf(out);
    }
}
