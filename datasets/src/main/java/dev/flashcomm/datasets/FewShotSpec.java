package dev.flashcomm.datasets;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A task's few-shot settings, as its lm-eval YAML states them (or lm-eval's defaults where it says nothing).
 *
 * <p>A prompt is {@code description + ex_1 + fewshotDelimiter + ... + ex_n + fewshotDelimiter + context}, where an
 * example is {@code doc_to_text + targetDelimiter + doc_to_target} of a pool document. The items of a task already
 * carry lm-eval's {@code " "} target delimiter at the start of their continuations, so for multiple-choice and
 * generation tasks an example is its gold choice's context plus continuation; only the log-likelihood task
 * (lambada) adds {@code targetDelimiter} in front of a continuation that starts with a space of its own, as lm-eval
 * does. A non-default {@code targetDelimiter} is therefore only honoured for that task type.
 *
 * @param defaultShots     lm-eval's {@code num_fewshot} (0 where the YAML has none)
 * @param description      prepended to every prompt, also at 0 shots (lm-eval's {@code description})
 * @param fewshotFile      the file of lm-eval's few-shot split relative to a data root, or null when the task has
 *                         none in our layout: then the examples come from the evaluated file ({@code split} says
 *                         whether each document is left out of its own)
 * @param split            where lm-eval's pool is relative to the evaluated split, which decides whether it draws
 *                         one more and leaves the evaluated document out
 */
public record FewShotSpec(int defaultShots, FewShotSampler sampler, String description, String targetDelimiter,
                          String fewshotDelimiter, String fewshotFile, FewShotSplit split) {
    /**
     * lm-eval's defaults for a config that sets none of these: 0 shots, random sampler, no description, {@code " "}
     * and {@code "\n\n"}, no file in our layout, and neither {@code fewshot_split} nor {@code test_split}
     * ({@link FewShotSplit#UNSET}).
     */
    public static final FewShotSpec LM_EVAL_DEFAULT = new FewShotSpec(0, FewShotSampler.RANDOM, "", " ", "\n\n", null,
            FewShotSplit.UNSET);

    public FewShotSpec {
        if (defaultShots < 0) {
            throw new IllegalArgumentException("defaultShots must be >= 0, got " + defaultShots);
        }
        Objects.requireNonNull(sampler, "sampler");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(targetDelimiter, "targetDelimiter");
        Objects.requireNonNull(fewshotDelimiter, "fewshotDelimiter");
        if (fewshotFile != null && (fewshotFile.isBlank() || Path.of(fewshotFile).isAbsolute())) {
            throw new IllegalArgumentException("fewshotFile must be a relative path or null, got '" + fewshotFile + "'");
        }
        Objects.requireNonNull(split, "split");
    }

    /** The same settings with another description. */
    public FewShotSpec withDescription(String newDescription) {
        return new FewShotSpec(defaultShots, sampler, newDescription, targetDelimiter, fewshotDelimiter, fewshotFile,
                split);
    }

    /** The same settings with the pool in another place relative to the evaluated split. */
    public FewShotSpec withSplit(FewShotSplit newSplit) {
        return new FewShotSpec(defaultShots, sampler, description, targetDelimiter, fewshotDelimiter, fewshotFile,
                newSplit);
    }
}
