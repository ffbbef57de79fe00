package dev.flashcomm.eval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --limit} as lm-eval reads it: 0 all, N the first N, a fraction below 1 that share rounded up. */
class LimitTest {

    @ParameterizedTest(name = "{0} of {1} -> {2}")
    @CsvSource({"0, 25, 25", "5, 25, 5", "30, 25, 25", "0.1, 25, 3", "0.1, 30, 3", "0.5, 3, 2", "0.01, 5, 1",
        "0.2, 0, 0"})
    void keepsTheFirstItems(String limit, int total, int kept) {
        assertEquals(kept, Limit.parse("--limit", limit).of(total));
    }

    @Test
    void printsAsGiven() {
        assertEquals("0.1", Limit.parse("--limit", "0.1").toString());
        assertEquals("25", Limit.parse("--limit", "25").toString());
        assertEquals("0", Limit.ALL.toString());
        assertTrue(Limit.parse("--limit", "0.25").fraction());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "1.5", "abc", "NaN", "Infinity"})
    void refusesWhatIsNoLimit(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Limit.parse("--limit", text));
        assertTrue(e.getMessage().startsWith("--limit "), e.getMessage());
    }
}
