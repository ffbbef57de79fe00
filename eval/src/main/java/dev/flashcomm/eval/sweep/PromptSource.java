package dev.flashcomm.eval.sweep;

import dev.flashcomm.eval.InputException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A generation-agreement task of a sweep and its prompts file ({@code --task-file agreement:NAME=FILE}).
 *
 * @param name the TASK column, {@code agreement:NAME}
 */
public record PromptSource(String name, Path file) {

    /** The prefix that makes a {@code --task-file} key an agreement task rather than an lm-eval task. */
    public static final String PREFIX = "agreement:";

    public PromptSource {
        Objects.requireNonNull(file, "file");
        if (!isAgreement(name) || !name.substring(PREFIX.length()).matches("[A-Za-z0-9_.-]+")) {
            throw new InputException("--task-file " + name + ": an agreement task is named agreement:NAME, NAME of "
                    + "letters, digits, '_', '.' and '-'");
        }
    }

    public static boolean isAgreement(String taskName) {
        return taskName != null && taskName.startsWith(PREFIX);
    }
}
