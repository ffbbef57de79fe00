package dev.flashcomm.eval.tasks;

/**
 * What lm-eval's {@code loglikelihood} returns for one request, plus the token count that explains it.
 *
 * @param logLikelihood      sum of the continuation tokens' log-probs
 * @param greedy             every continuation token was the argmax
 * @param continuationTokens how many tokens were scored
 */
public record RequestScore(double logLikelihood, boolean greedy, int continuationTokens) {

    public RequestScore {
        if (continuationTokens < 1) {
            throw new IllegalArgumentException("a request scores at least one token, got " + continuationTokens);
        }
    }
}
