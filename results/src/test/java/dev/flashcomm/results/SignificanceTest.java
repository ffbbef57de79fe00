package dev.flashcomm.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SignificanceTest {

    /** Paired outcomes with {@code onlyBase} items right only for the baseline, {@code onlyVariant} the reverse. */
    private static boolean[][] outcomes(int bothRight, int bothWrong, int onlyBase, int onlyVariant) {
        int n = bothRight + bothWrong + onlyBase + onlyVariant;
        boolean[] base = new boolean[n];
        boolean[] variant = new boolean[n];
        int i = 0;
        for (int k = 0; k < bothRight; k++, i++) {
            base[i] = true;
            variant[i] = true;
        }
        i += bothWrong;
        for (int k = 0; k < onlyBase; k++, i++) {
            base[i] = true;
        }
        for (int k = 0; k < onlyVariant; k++, i++) {
            variant[i] = true;
        }
        return new boolean[][] {base, variant};
    }

    // p = min(1, 2·P(X ≤ min(b, c))), X ~ Bin(b + c, 1/2):
    //   b=1, c=6: 2·(1 + 7)/128 = 0.125;   b=0, c=5: 2/32 = 0.0625;   b=8, c=2: 2·(1 + 10 + 45)/1024 = 0.109375;
    //   b=3, c=3: 2·(1 + 6 + 15 + 20)/64 > 1, so 1
    @ParameterizedTest(name = "b={0} c={1} -> p={2}")
    @CsvSource({"1, 6, 0.125", "0, 5, 0.0625", "8, 2, 0.109375", "3, 3, 1.0"})
    void mcnemarMatchesHandComputedBinomialTail(int onlyBase, int onlyVariant, double expected) {
        boolean[][] o = outcomes(40, 13, onlyBase, onlyVariant);
        assertEquals(expected, Significance.mcnemarExact(o[0], o[1]), 1e-12);
    }

    @Test
    void mcnemarWithoutDiscordantPairsIsOne() {
        boolean[][] o = outcomes(30, 20, 0, 0);
        assertEquals(1.0, Significance.mcnemarExact(o[0], o[1]));
    }

    @Test
    void mcnemarStaysFiniteForManyDiscordantPairs() {
        boolean[][] lopsided = outcomes(0, 0, 0, 3000);
        assertEquals(0.0, Significance.mcnemarExact(lopsided[0], lopsided[1]), 1e-300);
        boolean[][] balanced = outcomes(0, 0, 2000, 2000);
        assertEquals(1.0, Significance.mcnemarExact(balanced[0], balanced[1]));
        // b=40, c=60: 2·Σ_{k≤40} C(100,k)/2^100 = 0.0568879336409808 (exact rational arithmetic)
        boolean[][] close = outcomes(500, 100, 40, 60);
        assertEquals(0.0568879336409808, Significance.mcnemarExact(close[0], close[1]), 1e-12);
    }

    @Test
    void mcnemarRejectsUnpairedArrays() {
        assertThrows(IllegalArgumentException.class,
                () -> Significance.mcnemarExact(new boolean[3], new boolean[4]));
    }

    private static List<ItemScore> scores(double... nllPerItem) {
        List<ItemScore> s = new ArrayList<>();
        for (int i = 0; i < nllPerItem.length; i++) {
            s.add(new ItemScore(i, nllPerItem[i], 1));
        }
        return s;
    }

    @Test
    void bootstrapOfIdenticalScoresIsOne() {
        List<ItemScore> base = scores(3.1, 2.7, 3.3, 2.9, 3.0);
        assertEquals(1.0, Significance.pairedBootstrapPpl(base, List.copyOf(base), 500, 7));
    }

    @Test
    void bootstrapOfUniformlyWorseVariantIsZero() {
        List<ItemScore> base = new ArrayList<>();
        List<ItemScore> worse = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            base.add(new ItemScore(i, 20.0 + i % 3, 10));
            worse.add(new ItemScore(i, 20.5 + i % 3, 10));
        }
        assertEquals(0.0, Significance.pairedBootstrapPpl(base, worse, 2000, 1));
    }

    @Test
    void bootstrapMatchesHandComputedResamplingProbability() {
        // Only item 0 is worse in the variant: a resample's difference is 0 unless it draws item 0, then > 0.
        // P(diff ≤ 0) = P(no item 0 in 3 draws) = (2/3)^3 = 8/27, P(diff ≥ 0) = 1, so p = 16/27.
        List<ItemScore> base = scores(1, 1, 1);
        List<ItemScore> variant = scores(2, 1, 1);
        assertEquals(16.0 / 27, Significance.pairedBootstrapPpl(base, variant, 20_000, 3), 0.02);
    }

    @Test
    void bootstrapIsDeterministicForASeedAndPairsByItemIndex() {
        Random noise = new Random(11);
        List<ItemScore> base = new ArrayList<>();
        List<ItemScore> variant = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            double nll = 50 + 5 * noise.nextGaussian();
            base.add(new ItemScore(i, nll, 20));
            variant.add(new ItemScore(i, nll + 0.1 * noise.nextGaussian(), 20));
        }
        double p = Significance.pairedBootstrapPpl(base, variant, 1000, 42);
        assertEquals(p, Significance.pairedBootstrapPpl(base, variant, 1000, 42));
        List<ItemScore> shuffled = new ArrayList<>(variant);
        java.util.Collections.reverse(shuffled);
        assertEquals(p, Significance.pairedBootstrapPpl(base, shuffled, 1000, 42), "pairing is by item index");
        assertTrue(p > 0 && p <= 1);
    }

    @Test
    void bootstrapRejectsMismatchedItems() {
        List<ItemScore> base = scores(1, 2, 3);
        List<ItemScore> shifted = List.of(new ItemScore(1, 1, 1), new ItemScore(2, 2, 1), new ItemScore(3, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> Significance.pairedBootstrapPpl(base, shifted, 10, 1));
        assertThrows(IllegalArgumentException.class,
                () -> Significance.pairedBootstrapPpl(base, scores(1, 2), 10, 1));
        List<ItemScore> repeated = List.of(new ItemScore(0, 1, 1), new ItemScore(0, 2, 1), new ItemScore(2, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> Significance.pairedBootstrapPpl(base, repeated, 10, 1));
    }
}
