package dev.flashcomm.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** bench's decode row from hand-written timings: the rate when the decode steps took time, the skip when not. */
class DecodeRowTest {

    private static final String NOISE = "the 10 decode steps took less than the timing noise; raise --decode-tokens";

    @Test
    void theRateIsTheTokensAfterTheFirstOverTheTimeAfterThePrefill() {
        // 4 prompts, 11 new tokens each: 10 decode steps in 0.75 - 0.25 = 0.5 s, so 4 x 10 / 0.5 = 80 tokens/s and
        // 500 ms / 10 = 50 ms per step (every number here is exact in binary, so equality is exact)
        DecodeRow row = DecodeRow.of(4, 11, 0.25, 0.75);
        assertEquals(new DecodeRow.Timed(80, 50, 250, 0.75), row);
    }

    @Test
    void aGenerationNoLongerThanItsPrefillIsSkippedWithTheReason() {
        assertEquals(new DecodeRow.Skipped(NOISE), DecodeRow.of(4, 11, 0.25, 0.25), "the boundary: equal times");
        // the loaded-host case behind the rule: the longer run measured shorter, which would be a negative rate
        assertEquals(new DecodeRow.Skipped(NOISE), DecodeRow.of(4, 11, 0.25, 0.20));
    }

    @Test
    void theLeastTimeBeyondThePrefillGivesARate() {
        double prefill = 0.25;
        double whole = Math.nextUp(prefill);
        DecodeRow.Timed row = assertInstanceOf(DecodeRow.Timed.class, DecodeRow.of(1, 2, prefill, whole));
        // one step in one ulp of 0.25 (2^-54 s): 2^54 tokens/s, large but finite and positive
        assertEquals(Math.pow(2, 54), row.tokensPerSecond());
        assertTrue(Double.isFinite(row.msPerStep()) && row.msPerStep() > 0, row::toString);
    }

    @Test
    void impossibleInputsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> DecodeRow.of(0, 11, 0.25, 0.75));
        assertThrows(IllegalArgumentException.class, () -> DecodeRow.of(4, 1, 0.25, 0.75), "no decode step");
        assertThrows(IllegalArgumentException.class, () -> DecodeRow.of(4, 11, -0.25, 0.75));
        assertThrows(IllegalArgumentException.class, () -> DecodeRow.of(4, 11, 0.25, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> DecodeRow.of(4, 11, 0.25, Double.POSITIVE_INFINITY));
    }
}
