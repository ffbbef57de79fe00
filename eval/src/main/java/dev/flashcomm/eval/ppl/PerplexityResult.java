package dev.flashcomm.eval.ppl;

/**
 * GPTQ-protocol perplexity of one corpus.
 *
 * @param tokens       tokens in the encoded corpus
 * @param windows      non-overlapping windows scored ({@code tokens / seqLen}, the tail dropped)
 * @param scoredTokens {@code windows · (seqLen − 1)}
 * @param meanNll      mean next-token negative log-likelihood over all scored tokens
 * @param windowNll    summed NLL per window, for paired tests and per-item output
 * @param seconds      wall time of the scoring
 */
public record PerplexityResult(int seqLen, long tokens, int windows, long scoredTokens, double meanNll,
                               double[] windowNll, double seconds) {

    public PerplexityResult {
        windowNll = windowNll.clone();
    }

    @Override
    public double[] windowNll() {
        return windowNll.clone();
    }

    public double perplexity() {
        return Math.exp(meanNll);
    }

    /**
     * Standard error of the perplexity by the delta method over windows: windows are the independent units
     * (tokens within a window are not), so the spread of per-window mean NLL is what matters.
     */
    public double perplexityStderr() {
        if (windows < 2) {
            return Double.NaN;
        }
        int per = seqLen - 1;
        double mean = 0;
        for (double w : windowNll) {
            mean += w / per;
        }
        mean /= windows;
        double ss = 0;
        for (double w : windowNll) {
            double d = w / per - mean;
            ss += d * d;
        }
        double se = Math.sqrt(ss / (windows - 1) / windows);
        return perplexity() * se;
    }

    public double tokensPerSecond() {
        return seconds > 0 ? windows * (double) seqLen / seconds : Double.NaN;
    }
}
