package dev.flashcomm.datasets;

import java.util.Objects;

/**
 * One of MMLU's 57 subjects, with the category lm-eval groups it under ({@code mmlu_stem}, {@code mmlu_humanities},
 * {@code mmlu_social_sciences}, {@code mmlu_other}: the {@code tag} of its {@code mmlu/default} YAML).
 *
 * @param name     the file and dataset name, e.g. {@code "abstract_algebra"}
 * @param category {@code "stem"}, {@code "humanities"}, {@code "social_sciences"} or {@code "other"}
 */
public record MmluSubject(String name, String category) {
    public MmluSubject {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(category, "category");
    }

    /** lm-eval's task name, {@code "mmlu_" + name}. */
    public String taskName() {
        return "mmlu_" + name;
    }

    /** lm-eval's description, exactly: {@code "The following are ... about abstract algebra.\n\n"}. */
    public String description() {
        return "The following are multiple choice questions (with answers) about " + name.replace('_', ' ') + ".\n\n";
    }
}
