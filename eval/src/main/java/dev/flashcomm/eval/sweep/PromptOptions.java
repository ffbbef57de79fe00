package dev.flashcomm.eval.sweep;

import dev.flashcomm.datasets.FewShotRequest;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * How the prompts of a sweep's lm-eval tasks are built, as the command line gave it.
 *
 * @param numFewshot   examples in front of every document ({@code --num-fewshot}); empty: each task's lm-eval default
 *                     (5 for gsm8k, 0 for the others, MMLU included)
 * @param fewshotSeed  seed of the random few-shot sampler ({@code --fewshot-seed}, lm-eval's
 *                     {@code --fewshot_random_seed})
 * @param fewshotFiles per task, the file its examples are drawn from ({@code --fewshot-file TASK=FILE}), overriding
 *                     the task's few-shot file under the data root
 * @param maxGenTokens new-token cap of generation tasks ({@code --max-gen-toks}); empty: the task's (256)
 */
public record PromptOptions(OptionalInt numFewshot, long fewshotSeed, Map<String, Path> fewshotFiles,
                            OptionalInt maxGenTokens) {

    /** lm-eval's defaults: each task's own shots, seed 1234, no override. */
    public static final PromptOptions DEFAULTS = new PromptOptions(OptionalInt.empty(), FewShotRequest.DEFAULT_SEED,
            Map.of(), OptionalInt.empty());

    public PromptOptions {
        Objects.requireNonNull(numFewshot, "numFewshot");
        fewshotFiles = Map.copyOf(fewshotFiles);
        Objects.requireNonNull(maxGenTokens, "maxGenTokens");
        if (numFewshot.isPresent() && numFewshot.getAsInt() < 0) {
            throw new IllegalArgumentException("--num-fewshot must be >= 0, got " + numFewshot.getAsInt());
        }
        if (maxGenTokens.isPresent() && maxGenTokens.getAsInt() < 1) {
            throw new IllegalArgumentException("--max-gen-toks must be at least 1, got " + maxGenTokens.getAsInt());
        }
    }
}
