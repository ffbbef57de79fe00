package dev.flashcomm.eval.sweep;

import dev.flashcomm.datasets.FewShotRequest;
import dev.flashcomm.datasets.FewShotSampler;
import dev.flashcomm.datasets.OutputType;
import dev.flashcomm.datasets.TaskSpec;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A task of a sweep, the file its items are read from and how its prompts are built.
 *
 * @param fewshot     shots and sampler seed ({@code --num-fewshot}, {@code --fewshot-seed})
 * @param fewshotFile the pool the examples are drawn from (lm-eval's few-shot split); empty: {@code file} itself,
 *                    each document left out of its own examples (lambada_openai: as lm-eval draws from its one
 *                    split, nothing left out)
 */
public record TaskSource(TaskSpec spec, Path file, FewShotRequest fewshot, Optional<Path> fewshotFile) {

    public TaskSource {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(fewshot, "fewshot");
        Objects.requireNonNull(fewshotFile, "fewshotFile");
    }

    /** The task at its lm-eval default number of shots, drawn from {@code file} itself. */
    public TaskSource(TaskSpec spec, Path file) {
        this(spec, file, FewShotRequest.defaultsFor(spec), Optional.empty());
    }

    /**
     * The PROTOCOL of the task's rows: {@code lm-eval 0-shot}, {@code lm-eval 5-shot seed=1234} (the seed only where
     * the random sampler draws), and for generation tasks greedy decoding with its token cap.
     */
    public String protocol() {
        StringBuilder p = new StringBuilder("lm-eval ").append(fewshot.shots()).append("-shot");
        if (fewshot.shots() > 0 && spec.fewshot().sampler() == FewShotSampler.RANDOM) {
            p.append(" seed=").append(fewshot.seed());
        }
        if (spec.type() == OutputType.GENERATE_UNTIL) {
            p.append(" greedy max_gen_toks=").append(spec.generation().maxGenTokens());
        }
        return p.toString();
    }
}
