package dev.flashcomm.datasets;

/**
 * Where lm-eval draws a task's few-shot examples from, relative to the split it evaluates. It decides which branch of
 * lm-eval's {@code fewshot_context} a task takes: the evaluated document goes to the sampler ({@code eval_doc=doc}),
 * which then draws n+1, removes the document and keeps n, exactly when {@code fewshot_split == test_split} in the
 * task's config, and that comparison is true when both are unset ({@code None == None}).
 */
public enum FewShotSplit {
    /**
     * The pool is another split than the evaluated one and {@code fewshot_split != test_split}: n are drawn and none
     * removed. gsm8k ({@code train} vs {@code test}), MMLU ({@code dev} vs {@code test}), and ARC and OpenBookQA,
     * whose YAMLs set {@code test_split: test} and no {@code fewshot_split}, so the pool is their train split.
     */
    OTHER,
    /**
     * The YAML sets neither {@code test_split} nor {@code fewshot_split} (HellaSwag, PIQA, Winogrande, BoolQ and COPA
     * evaluate their validation split): {@code None == None}, so lm-eval draws n+1 from the train split, removes the
     * evaluated document if it is among them, and keeps the first n. lm-eval's default for a config that says
     * nothing.
     */
    UNSET,
    /**
     * The task has a test split only (lambada_openai): lm-eval's fallback pool is that split itself, but
     * {@code fewshot_split} (None) differs from {@code test_split} ({@code "test"}), so it draws n and removes
     * nothing: a document can be one of its own examples.
     */
    EVALUATED
}
