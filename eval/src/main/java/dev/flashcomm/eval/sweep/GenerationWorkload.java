package dev.flashcomm.eval.sweep;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A generation-agreement task with its prompts read (the first {@code --limit} of them): every cell continues each
 * prompt greedily and compares the new tokens with the baseline cell's. The tokens depend on the model, so prompts
 * are kept as text and tokenized by the cell's model.
 */
public record GenerationWorkload(PromptSource source, List<String> prompts, String dataIdentity) implements Workload {

    public GenerationWorkload {
        Objects.requireNonNull(source, "source");
        prompts = List.copyOf(prompts);
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException(source.file() + ": no prompts");
        }
        Objects.requireNonNull(dataIdentity, "dataIdentity");
    }

    @Override
    public String name() {
        return source.name();
    }

    @Override
    public Path file() {
        return source.file();
    }
}
