package dev.flashcomm.eval.sweep;

import dev.flashcomm.datasets.TaskRegistry;
import dev.flashcomm.datasets.TaskSpec;
import dev.flashcomm.eval.InputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns {@code --tasks}, {@code --task-file} and {@code --data-root} into the tasks of a sweep and their files; a
 * {@code --task-file agreement:NAME=FILE} is a generation-agreement task instead ({@link #agreements}).
 */
public final class TaskSelection {

    private TaskSelection() {
    }

    /**
     * @param tasks     {@code all}, {@code none}, or a comma list of task names
     * @param files     per-task files that override the data root; their tasks join the selection
     * @param dataRoot  a directory laid out like {@code shared/data}, or null when every task has its own file
     * @throws dev.flashcomm.datasets.DataException for an unknown task name (listing the known ones)
     * @throws InputException when a task has neither a file nor a data root
     */
    public static List<TaskSource> resolve(String tasks, Map<String, Path> files, Path dataRoot) {
        Map<String, TaskSpec> selected = new LinkedHashMap<>();
        String spec = tasks == null ? "none" : tasks.strip();
        if (spec.equals("all")) {
            TaskRegistry.all().forEach(s -> selected.put(s.name(), s));
        } else if (!spec.equals("none") && !spec.isEmpty()) {
            for (String name : spec.split(",")) {
                String n = name.strip();
                if (!n.isEmpty()) {
                    selected.put(n, TaskRegistry.require(n));
                }
            }
        }
        files.keySet().stream().filter(n -> !PromptSource.isAgreement(n))
                .forEach(n -> selected.putIfAbsent(n, TaskRegistry.require(n)));
        List<TaskSource> out = new ArrayList<>();
        List<String> homeless = new ArrayList<>();
        for (TaskSpec s : selected.values()) {
            Path file = files.get(s.name());
            if (file == null && dataRoot != null) {
                file = s.fileUnder(dataRoot);
            }
            if (file == null) {
                homeless.add(s.name());
            } else {
                out.add(new TaskSource(s, file));
            }
        }
        if (!homeless.isEmpty()) {
            throw new InputException("--data-root is required for " + String.join(", ", homeless)
                    + " (or give --task-file TASK=FILE)");
        }
        return List.copyOf(out);
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
