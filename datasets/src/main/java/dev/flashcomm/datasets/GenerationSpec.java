package dev.flashcomm.datasets;

import java.util.List;

/**
 * How a {@link OutputType#GENERATE_UNTIL} task generates: greedy decoding (lm-eval's {@code do_sample: false}) until
 * one of the stop strings or {@code maxGenTokens} new tokens.
 *
 * @param until        lm-eval's {@code generation_kwargs.until}; lm-eval's Hugging Face model also stops at the
 *                     tokenizer's EOS text, which is the model's business, not the task's
 * @param maxGenTokens lm-eval's {@code max_gen_toks} (256 by default in {@code models/huggingface.py})
 */
public record GenerationSpec(List<String> until, int maxGenTokens) {
    /** lm-eval's {@code HFLM.max_gen_toks}. */
    public static final int LM_EVAL_MAX_GEN_TOKENS = 256;

    public GenerationSpec {
        until = List.copyOf(until);
        if (maxGenTokens < 1) {
            throw new IllegalArgumentException("maxGenTokens must be >= 1, got " + maxGenTokens);
        }
    }

    /**
     * The generated text cut before the first stop string, as lm-eval's {@code generate_until} post-processing does
     * ({@code s = s.split(term)[0]} for each non-empty term, in order).
     */
    public String truncate(String generated) {
        String s = generated;
        for (String term : until) {
            if (!term.isEmpty()) {
                int at = s.indexOf(term);
                if (at >= 0) {
                    s = s.substring(0, at);
                }
            }
        }
        return s;
    }
}
