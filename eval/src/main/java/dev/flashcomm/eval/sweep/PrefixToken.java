package dev.flashcomm.eval.sweep;

import dev.flashcomm.tp.checkpoint.ModelConfig;
import dev.flashcomm.tp.tokenizer.ModelTokenizer;
import java.util.OptionalInt;

/**
 * The token lm-eval conditions a continuation on when its context is empty. A tokenizer that adds a BOS (Llama)
 * needs none, since {@code encode("")} is already {@code [BOS]}; for one that adds nothing (Qwen) lm-eval falls back
 * to the end-of-text token, which is {@code eos_token_id} in {@code config.json} (read once, into
 * {@link ModelConfig}). Without one, empty contexts are refused with a clear error when a task has them.
 */
final class PrefixToken {

    private PrefixToken() {
    }

    static OptionalInt of(ModelConfig config, ModelTokenizer tokenizer) {
        return tokenizer.encode("").length > 0 ? OptionalInt.empty() : config.eosTokenId();
    }
}
