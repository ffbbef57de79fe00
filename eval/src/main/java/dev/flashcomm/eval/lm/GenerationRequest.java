package dev.flashcomm.eval.lm;

import java.util.List;
import java.util.Objects;

/**
 * One prompt to continue greedily.
 *
 * @param promptIds     the prompt's token ids exactly as the tokenizer gave them (its post-processor's BOS included;
 *                      nothing is added or cut here)
 * @param maxNewTokens  at most this many tokens are generated, at least 1
 * @param stopSequences strings that end the generation once the decoded new text contains one (lm-eval's
 *                      {@code until}); the token that completed it is kept in the ids, the text is cut before it
 * @param stopAtEos     whether generating the model's {@code eos_token_id} ends the generation (that token kept)
 */
public record GenerationRequest(int[] promptIds, int maxNewTokens, List<String> stopSequences, boolean stopAtEos) {
    public GenerationRequest {
        Objects.requireNonNull(promptIds, "promptIds");
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("a prompt needs at least one token");
        }
        promptIds = promptIds.clone();
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be >= 1, got " + maxNewTokens);
        }
        stopSequences = List.copyOf(stopSequences);
        if (stopSequences.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("a stop sequence must not be empty");
        }
    }

    /** A request with no stop sequence and no EOS stop: exactly {@code maxNewTokens} tokens. */
    public static GenerationRequest of(int[] promptIds, int maxNewTokens) {
        return new GenerationRequest(promptIds, maxNewTokens, List.of(), false);
    }

    @Override
    public int[] promptIds() {
        return promptIds.clone();
    }

    int promptLength() {
        return promptIds.length;
    }

    int promptId(int i) {
        return promptIds[i];
    }
}
