package dev.flashcomm.eval.bench;

/**
 * What {@code bench} reports for one decode row, worked out from its two timings of {@code batch} prompts decoded
 * together: the prefill alone (one new token) and the whole generation of {@code newTokens} new tokens. The decode
 * steps are the tokens after the first and their time is what the whole generation took beyond the prefill, so the
 * prompt length does not blur the rate. Pure: the timings are given, so both outcomes are tested without a clock.
 */
public sealed interface DecodeRow {

    /**
     * The row for these timings, or why there is none: when the whole generation took no longer than the prefill
     * alone, timing noise exceeds the decode steps' time, and no rate is better than a wrong (infinite or negative)
     * one.
     */
    static DecodeRow of(int batch, int newTokens, double prefillSeconds, double wholeSeconds) {
        if (batch < 1 || newTokens < 2) {
            throw new IllegalArgumentException("need batch >= 1 and newTokens >= 2 (a prefill and a decode step), got "
                    + batch + " and " + newTokens);
        }
        if (!(prefillSeconds >= 0) || !(wholeSeconds >= 0) || Double.isInfinite(prefillSeconds)
                || Double.isInfinite(wholeSeconds)) {
            throw new IllegalArgumentException("timings must be finite and >= 0, got prefill " + prefillSeconds
                    + " s and whole " + wholeSeconds + " s");
        }
        int steps = newTokens - 1;
        if (wholeSeconds <= prefillSeconds) {
            return new Skipped("the " + steps + " decode steps took less than the timing noise; raise --decode-tokens");
        }
        double decodeSeconds = wholeSeconds - prefillSeconds;
        return new Timed(batch * steps / decodeSeconds, 1e3 * decodeSeconds / steps, 1e3 * prefillSeconds,
                wholeSeconds);
    }

    /** A measured row: new tokens per second over all prompts, the time of one decode step, and the two timings. */
    record Timed(double tokensPerSecond, double msPerStep, double prefillMs, double wholeSeconds)
            implements DecodeRow {
    }

    /** No row; {@code reason} tells the user why and what to change. */
    record Skipped(String reason) implements DecodeRow {
    }
}
