package dev.flashcomm.eval.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.flashcomm.eval.lm.Generation;
import dev.flashcomm.eval.lm.StopReason;
import java.util.List;
import org.junit.jupiter.api.Test;

class GenerationAgreementTest {

    private static Generation gen(int... newIds) {
        return new Generation(new int[] {5}, newIds, new double[newIds.length], "", StopReason.MAX_NEW_TOKENS);
    }

    @Test
    void firstDivergenceIsTheFirstDifferingIndexOrTheSharedLength() {
        assertEquals(0, GenerationAgreement.firstDivergence(new int[] {1, 2}, new int[] {3, 2}));
        assertEquals(2, GenerationAgreement.firstDivergence(new int[] {1, 2, 3}, new int[] {1, 2, 4}));
        assertEquals(3, GenerationAgreement.firstDivergence(new int[] {1, 2, 3}, new int[] {1, 2, 3}), "censored");
        assertEquals(1, GenerationAgreement.firstDivergence(new int[] {1}, new int[] {1, 2}), "a stop ended one");
    }

    @Test
    void agreementIsExactEqualityPerPrompt() {
        GenerationAgreement a = GenerationAgreement.of(List.of(gen(1, 2, 3), gen(4, 5, 6), gen(7, 8)),
                List.of(gen(1, 2, 3), gen(4, 9, 6), gen(7, 8, 9)));
        assertArrayEquals(new double[] {1, 0, 0}, a.agree());
        assertArrayEquals(new double[] {3, 1, 2}, a.firstDivergence());
        assertThrows(IllegalArgumentException.class,
                () -> GenerationAgreement.of(List.of(gen(1)), List.of(gen(1), gen(2))));
    }
}
