package dev.flashcomm.datasets;

/** How few-shot examples are picked from the pool (lm-eval's {@code fewshot_config.sampler}). */
public enum FewShotSampler {
    /** The first n documents of the pool, in file order, the same for every document (MMLU's {@code first_n}). */
    FIRST_N,
    /** {@code Random(seed).sample(pool, n)}, the generator advancing once per evaluated document (lm-eval's default). */
    RANDOM
}
