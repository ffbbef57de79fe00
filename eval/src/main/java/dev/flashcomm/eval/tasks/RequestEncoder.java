package dev.flashcomm.eval.tasks;

import dev.flashcomm.eval.InputException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * Turns request texts into token windows exactly as lm-eval's {@code _encode_pair} and
 * {@code _loglikelihood_tokens} do, with the tokenizer's special tokens on (docs/tasks.md):
 * {@code whole = encode(context + continuation)}, {@code ctx = encode(context)}, {@code cont = whole[len(ctx):]},
 * window {@code (ctx + cont)[-(max_len+1):]}.
 *
 * <p>Empty context: a tokenizer that adds a BOS encodes {@code ""} as {@code [BOS]}, so the rule above already
 * conditions the continuation on the BOS. One that adds nothing (Qwen) leaves no token to predict the first
 * continuation token from; lm-eval then uses a prefix token (EOT/BOS) with {@code cont = encode(continuation)}.
 * We do the same when a prefix token is given, and refuse the request otherwise rather than silently dropping its
 * first token from the score.
 *
 * <p>Each distinct context is encoded once per encoder (multiple-choice items share theirs), so an encoder is meant
 * to live for one scoring run; it is not thread-safe.
 */
public final class RequestEncoder {

    private final Function<String, int[]> tokenizer;
    private final int maxLength;
    private final OptionalInt prefixToken;
    private final Map<String, int[]> contexts = new HashMap<>();

    /**
     * @param tokenizer   text to ids with special tokens, as the model's tokenizer does
     * @param maxLength   the model's {@code max_position_embeddings}
     * @param prefixToken the token that stands in for an empty context when the tokenizer adds none
     */
    public RequestEncoder(Function<String, int[]> tokenizer, int maxLength, OptionalInt prefixToken) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        if (maxLength < 1) {
            throw new IllegalArgumentException("max length must be at least 1, got " + maxLength);
        }
        this.maxLength = maxLength;
        this.prefixToken = Objects.requireNonNull(prefixToken, "prefixToken");
    }

    /** An encoder without a prefix token: an empty context then needs a tokenizer that adds a BOS. */
    public RequestEncoder(Function<String, int[]> tokenizer, int maxLength) {
        this(tokenizer, maxLength, OptionalInt.empty());
    }

    /**
     * The token window of one request.
     *
     * @throws InputException when the continuation encodes to no token, to more tokens than the model can score, or
     *                        the context is empty with neither a BOS nor a prefix token
     */
    public EncodedRequest encode(RequestText text) {
        int[] ctx = contexts.computeIfAbsent(text.context(), tokenizer);
        int[] cont;
        if (ctx.length == 0) {
            if (prefixToken.isEmpty()) {
                throw new InputException("empty context and the tokenizer adds no BOS: nothing to predict the first"
                        + " token of " + quote(text.continuation()) + " from");
            }
            ctx = new int[] {prefixToken.getAsInt()};
            cont = tokenizer.apply(text.continuation());
        } else {
            int[] whole = tokenizer.apply(text.context() + text.continuation());
            cont = Arrays.copyOfRange(whole, Math.min(ctx.length, whole.length), whole.length);
        }
        if (cont.length == 0) {
            throw new InputException("continuation " + quote(text.continuation()) + " encodes to no tokens");
        }
        if (cont.length > maxLength) {
            throw new InputException("continuation " + quote(text.continuation()) + " is " + cont.length
                    + " tokens, more than the model's " + maxLength + " positions");
        }
        int total = ctx.length + cont.length;
        int keep = Math.min(total, maxLength + 1);
        int[] window = new int[keep];
        // Left truncation: drop the oldest context tokens, never continuation tokens (checked above).
        int skip = total - keep;
        int fromCtx = ctx.length - skip;
        System.arraycopy(ctx, skip, window, 0, fromCtx);
        System.arraycopy(cont, 0, window, fromCtx, cont.length);
        return new EncodedRequest(window, cont.length);
    }

    private static String quote(String s) {
        String flat = s.replace("\n", "\\n");
        return "\"" + (flat.length() > 40 ? flat.substring(0, 40) + "…" : flat) + "\"";
    }
}
