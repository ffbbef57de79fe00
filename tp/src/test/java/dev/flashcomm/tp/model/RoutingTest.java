package dev.flashcomm.tp.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Routing#of} on hand-written probabilities (docs/flash-allreduce.md, "Mixture-of-experts layers"): the k
 * largest probabilities, ties to the lower expert index, renormalised or not, each token's choices in increasing
 * expert order, and the pairs grouped by expert for the experts' matmuls.
 */
class RoutingTest {

    /**
     * Three tokens over five experts, top 2. Expected by hand:
     * token 0 picks 1 (0.4) and 3 (0.3), token 1 picks 0 (0.5) and 2 (0.3), token 2 picks 1 (0.5) and 3 (0.35);
     * expert 4 is never chosen.
     */
    private static final float[] THREE_TOKENS = {
        0.10f, 0.40f, 0.15f, 0.30f, 0.05f,
        0.50f, 0.10f, 0.30f, 0.05f, 0.05f,
        0.05f, 0.50f, 0.05f, 0.35f, 0.05f,
    };

    @Test
    void theKLargestAreChosenAndStoredInExpertOrder() {
        Routing r = Routing.of(THREE_TOKENS, 3, 5, 2, false);
        assertEquals(3, r.tokens());
        assertEquals(2, r.topK());
        assertEquals(5, r.experts());
        assertEquals(6, r.pairs());
        // token 0's larger probability is expert 1's, but the order stored is by expert index either way
        assertArrayEquals(new int[] {1, 3, 0, 2, 1, 3}, r.choice());
        // without renormalisation the weights are the probabilities themselves, bit for bit
        assertArrayEquals(new float[] {0.40f, 0.30f, 0.50f, 0.30f, 0.50f, 0.35f}, r.weight());
        assertTrue(r.uses(0, 1) && r.uses(0, 3) && r.uses(1, 0) && r.uses(1, 2) && r.uses(2, 3));
        assertFalse(r.uses(0, 0) || r.uses(1, 1) || r.uses(2, 2) || r.uses(2, 4));
    }

    @Test
    void countsAndTheExpertOrderOfThePairs() {
        Routing r = Routing.of(THREE_TOKENS, 3, 5, 2, false);
        // pairs t·k + j: 0 = (t0, e1), 1 = (t0, e3), 2 = (t1, e0), 3 = (t1, e2), 4 = (t2, e1), 5 = (t2, e3)
        assertArrayEquals(new int[] {1, 2, 1, 2, 0}, r.counts(), "pairs per expert; expert 4 has none");
        // grouped by expert (0: pair 2; 1: pairs 0, 4; 2: pair 3; 3: pairs 1, 5), tokens ascending within each,
        // so expert e's rows are the contiguous block after the counts of experts 0..e-1
        assertArrayEquals(new int[] {2, 0, 4, 3, 1, 5}, r.order());
    }

    @ParameterizedTest(name = "{0} top {1}")
    @CsvSource(delimiter = '|', value = {
        // all equal: the first k
        "0.25, 0.25, 0.25, 0.25 | 2 | 0, 1",
        // a three-way tie for the two places after the first: the lower indices win
        "0.1, 0.3, 0.3, 0.3 | 2 | 1, 2",
        "0.3, 0.1, 0.3, 0.3 | 2 | 0, 2",
        "0.2, 0.3, 0.2, 0.3 | 1 | 1",
        "0.2, 0.3, 0.2, 0.3 | 3 | 0, 1, 3",
        // an underflowed softmax: the zeros tie, and the lower index fills the second place
        "0.0, 0.0, 1.0, 0.0 | 2 | 0, 2",
        "0.4, 0.2, 0.2, 0.2 | 2 | 0, 1",
        // k = E: everything, in expert order
        "0.1, 0.6, 0.3, 0.0 | 4 | 0, 1, 2, 3",
    })
    void tiesGoToTheLowerExpertIndex(String probs, int k, String expected) {
        float[] p = floats(probs);
        Routing r = Routing.of(p, 1, p.length, k, false);
        assertArrayEquals(ints(expected), r.choice());
    }

    @Test
    void renormalisationMakesTheChosenWeightsSumToOne() {
        Routing raw = Routing.of(THREE_TOKENS, 3, 5, 2, false);
        Routing norm = Routing.of(THREE_TOKENS, 3, 5, 2, true);
        assertArrayEquals(raw.choice(), norm.choice(), "renormalising never changes the choice");
        // token 0: 0.4 / 0.7 and 0.3 / 0.7; token 1: 0.5 / 0.8, 0.3 / 0.8; token 2: 0.5 / 0.85, 0.35 / 0.85
        float[] want = {4f / 7, 3f / 7, 5f / 8, 3f / 8, 10f / 17, 7f / 17};
        assertArrayEquals(want, norm.weight(), 1e-6f);
        for (int t = 0; t < 3; t++) {
            assertEquals(1f, norm.weight()[2 * t] + norm.weight()[2 * t + 1], 1e-6f, "token " + t);
            assertNotEquals(1f, raw.weight()[2 * t] + raw.weight()[2 * t + 1], 1e-3f, "token " + t);
        }
    }

    /**
     * The sum the weights are divided by is taken in descending order of probability, as torch sums topk's output
     * (the reference's order): for 0.1, 0.2, 0.35 that is (0.35 + 0.2) + 0.1 = 0.65000004f in fp32, where the
     * expert order (0.1 + 0.2) + 0.35 gives 0.65f, and each weight differs by an ulp.
     */
    @Test
    void theRenormalisingSumRunsInDescendingOrder() {
        float descending = 0.35f + 0.2f + 0.1f;
        float byIndex = 0.1f + 0.2f + 0.35f;
        assertNotEquals(descending, byIndex, "the premise: the two orders round differently");
        Routing r = Routing.of(new float[] {0.1f, 0.2f, 0.35f, 0.05f}, 1, 4, 3, true);
        assertArrayEquals(new int[] {0, 1, 2}, r.choice());
        assertArrayEquals(new float[] {0.1f / descending, 0.2f / descending, 0.35f / descending}, r.weight());
    }

    @Test
    void sameChoiceComparesEachTokensSetOfExperts() {
        Routing a = Routing.of(THREE_TOKENS, 3, 5, 2, true);
        float[] other = {
            // token 0: experts 1 and 3 again, with other weights and 3 now the larger
            0.10f, 0.30f, 0.10f, 0.45f, 0.05f,
            // token 1: experts 0 and 3 instead of 0 and 2
            0.50f, 0.10f, 0.05f, 0.30f, 0.05f,
            // token 2: unchanged
            0.05f, 0.50f, 0.05f, 0.35f, 0.05f,
        };
        Routing b = Routing.of(other, 3, 5, 2, true);
        assertTrue(a.sameChoice(0, b), "the same set, whatever the weights and their order");
        assertFalse(a.sameChoice(1, b), "one expert differs");
        assertTrue(a.sameChoice(2, b));
        assertTrue(b.sameChoice(1, b));
    }

    @Test
    void probabilitiesMustMatchTokensTimesExperts() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Routing.of(new float[14], 3, 5, 2, false));
        assertEquals("14 probabilities for 3 tokens and 5 experts", e.getMessage());
    }

    private static float[] floats(String csv) {
        String[] parts = csv.split(",");
        float[] out = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Float.parseFloat(parts[i].strip());
        }
        return out;
    }

    private static int[] ints(String csv) {
        String[] parts = csv.split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Integer.parseInt(parts[i].strip());
        }
        return out;
    }
}
