package dev.flashcomm.eval.tasks;

import java.util.Arrays;

/**
 * A log-likelihood request as token ids: the window {@code (ctx + cont)[-(max_len+1):]} whose last
 * {@code continuationLength} tokens are scored. The model is fed the whole window; its prediction at position t is
 * for token t+1, so the scores of the last {@code continuationLength} predictions are exactly lm-eval's scores over
 * the input {@code window[:-1]}.
 */
public record EncodedRequest(int[] window, int continuationLength) {

    public EncodedRequest {
        if (continuationLength < 1) {
            throw new IllegalArgumentException("a request scores at least one token, got " + continuationLength);
        }
        if (window.length < continuationLength + 1) {
            throw new IllegalArgumentException("window of " + window.length + " tokens cannot score "
                    + continuationLength + " continuation tokens after at least one context token");
        }
        window = window.clone();
    }

    @Override
    public int[] window() {
        return window.clone();
    }

    public int length() {
        return window.length;
    }

    /** The scored tokens: the last {@code continuationLength} of the window. */
    public int[] continuation() {
        return Arrays.copyOfRange(window, window.length - continuationLength, window.length);
    }

    /** What lm-eval feeds its model: the window without its last token. */
    public int[] input() {
        return Arrays.copyOf(window, window.length - 1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EncodedRequest r && continuationLength == r.continuationLength
                && Arrays.equals(window, r.window);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(window) + continuationLength;
    }

    @Override
    public String toString() {
        return "EncodedRequest" + Arrays.toString(window) + " scoring last " + continuationLength;
    }
}
