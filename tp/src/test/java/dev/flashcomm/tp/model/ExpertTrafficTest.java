package dev.flashcomm.tp.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Rows each rank sends and receives on the two expert-parallel legs, from hand-made routings worked out on paper
 * (docs/flash-allreduce.md, "Expert parallelism"): a token lives on rank {@code floor(r·T/N)..}, dispatch sends it
 * once to every other rank that owns one of its experts, combine sends back one row per (token, expert) pair
 * computed on another rank. Dispatch's {@code received} is the load each rank's experts carry, own tokens included.
 */
class ExpertTrafficTest {

    /** An expert-parallel plan of {@code n} ranks; attention and MLP slices do not matter to the legs. */
    static ShardPlan plan(int n) {
        List<ShardPlan.RankSlice> slices = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            slices.add(new ShardPlan.RankSlice(r, r, r + 1, 0, 1, 0, 1));
        }
        return new ShardPlan(n, slices, MoeParallel.EP);
    }

    /** k choices per token, each token's ascending as {@link Routing} stores them; weights do not matter here. */
    static Routing routing(int experts, int[][] choices) {
        int k = choices[0].length;
        int[] flat = Arrays.stream(choices).flatMapToInt(Arrays::stream).toArray();
        float[] w = new float[flat.length];
        Arrays.fill(w, 1f / k);
        return new Routing(choices.length, k, experts, flat, w);
    }

    @Test
    void fourTokensFourExpertsTopTwoOnTwoRanks() {
        // N = 2, E = 4: rank 0 owns experts 0, 1; rank 1 owns 2, 3. T = 4: tokens 0, 1 live on rank 0, 2, 3 on 1.
        //   t0 (rank 0) -> {0, 1}: both at home, nothing moves
        //   t1 (rank 0) -> {1, 2}: expert 2 is on rank 1: one dispatch row 0 -> 1, one combine row 1 -> 0
        //   t2 (rank 1) -> {0, 1}: both on rank 0: ONE dispatch row 1 -> 0 (once per destination rank),
        //                           but TWO combine rows 0 -> 1 (one per remote pair)
        //   t3 (rank 1) -> {2, 3}: both at home
        ExpertTraffic t = ExpertTraffic.of(routing(4, new int[][] {{0, 1}, {1, 2}, {0, 1}, {2, 3}}), plan(2));
        assertArrayEquals(new long[] {1, 1}, t.dispatch().sent(), "dispatch rows sent per rank");
        // rank 0's experts: t0 x2, t1 x1 (expert 1), t2 x2 = 5; rank 1's: t1 x1 (expert 2), t3 x2 = 3; 5 + 3 = T·k
        assertArrayEquals(new long[] {5, 3}, t.dispatch().received(), "pairs each rank's experts compute");
        assertArrayEquals(new long[] {2, 1}, t.combine().sent(), "combine rows sent: rank 0 two (t2), rank 1 one (t1)");
        assertArrayEquals(new long[] {1, 2}, t.combine().received(), "combine rows arriving at the tokens' homes");
    }

    @Test
    void unevenSplitsOnThreeRanks() {
        // N = 3, E = 4: experts split at floor(r·4/3) = 0, 1, 2, 4: rank 0 {0}, rank 1 {1}, rank 2 {2, 3}.
        // T = 4, tokens split at 0, 1, 2, 4: t0 on rank 0, t1 on rank 1, t2 and t3 on rank 2.
        //   t0 (0) -> {2, 3}: one destination (rank 2): dispatch 0 -> 2 once; combine 2 -> 0 twice
        //   t1 (1) -> {0, 3}: two destinations: dispatch 1 -> 0 and 1 -> 2; combine 0 -> 1 and 2 -> 1
        //   t2 (2) -> {1, 2}: expert 1 on rank 1: dispatch 2 -> 1; combine 1 -> 2; expert 2 at home
        //   t3 (2) -> {0, 2}: expert 0 on rank 0: dispatch 2 -> 0; combine 0 -> 2; expert 2 at home
        ExpertTraffic t = ExpertTraffic.of(routing(4, new int[][] {{2, 3}, {0, 3}, {1, 2}, {0, 2}}), plan(3));
        assertArrayEquals(new long[] {1, 2, 2}, t.dispatch().sent());
        // rank 0: t1, t3 = 2; rank 1: t2 = 1; rank 2: t0 x2, t1, t2, t3 = 5
        assertArrayEquals(new long[] {2, 1, 5}, t.dispatch().received());
        // rank 0 sends t1's and t3's outputs of expert 0; rank 1 t2's of expert 1; rank 2 t0's two and t1's expert 3
        assertArrayEquals(new long[] {2, 1, 3}, t.combine().sent());
        assertArrayEquals(new long[] {2, 2, 2}, t.combine().received());
    }

    @Test
    void oneRankMovesNothingAndCarriesTheWholeLoad() {
        ExpertTraffic t = ExpertTraffic.of(routing(4, new int[][] {{0, 3}, {1, 2}, {2, 3}}), plan(1));
        assertArrayEquals(new long[] {0}, t.dispatch().sent());
        assertArrayEquals(new long[] {6}, t.dispatch().received());
        assertArrayEquals(new long[] {0}, t.combine().sent());
        assertArrayEquals(new long[] {0}, t.combine().received());
    }

    /**
     * On random routings (E = 16, k = 4, N = 4; T = 37 tokens: homes of 9, 9, 9, 10; and T = 1, 2, 3, 5 as in a
     * decode step of a few rows, where some ranks hold no token: one token lives on rank 3) the counts equal a
     * brute-force count that asks, per token and rank, "does this rank own one of the token's experts?", and obey
     * the conservation laws: dispatch load sums to T·k, combine rows sent equal rows received.
     */
    @Test
    void randomRoutingsMatchABruteForceCount() {
        Random rnd = new Random(11);
        int experts = 16;
        int k = 4;
        int n = 4;
        for (int trial = 0; trial < 60; trial++) {
            int tokens = new int[] {37, 1, 2, 3, 5, 37}[trial % 6];
            int[][] choices = new int[tokens][];
            for (int t = 0; t < tokens; t++) {
                choices[t] = rnd.ints(0, experts).distinct().limit(k).sorted().toArray();
            }
            ExpertTraffic got = ExpertTraffic.of(routing(experts, choices), plan(n));
            long[] dispatchSent = new long[n];
            long[] load = new long[n];
            long[] combineSent = new long[n];
            long[] combineReceived = new long[n];
            for (int t = 0; t < tokens; t++) {
                int home = homeOf(t, tokens, n);
                for (int r = 0; r < n; r++) {
                    int pairsHere = 0;
                    for (int e : choices[t]) {
                        if (e * n / experts == r) { // E = 16 divides evenly: rank r owns [4r, 4r + 4)
                            pairsHere++;
                        }
                    }
                    load[r] += pairsHere;
                    if (r != home && pairsHere > 0) {
                        dispatchSent[home]++;
                        combineSent[r] += pairsHere;
                        combineReceived[home] += pairsHere;
                    }
                }
            }
            if (tokens == 1) {
                assertEquals(3, homeOf(0, 1, n), "floor(r·1/4) = 0 for r <= 3: the one token is rank 3's");
            }
            assertArrayEquals(dispatchSent, got.dispatch().sent(), "trial " + trial);
            assertArrayEquals(load, got.dispatch().received(), "trial " + trial);
            assertArrayEquals(combineSent, got.combine().sent(), "trial " + trial);
            assertArrayEquals(combineReceived, got.combine().received(), "trial " + trial);
            assertEquals((long) tokens * k, Arrays.stream(load).sum());
            assertEquals(Arrays.stream(combineSent).sum(), Arrays.stream(combineReceived).sum());
        }
    }

    /** The rank r with floor(r·T/N) <= t < floor((r+1)·T/N), searched the slow way. */
    private static int homeOf(int t, int tokens, int n) {
        for (int r = 0; r < n; r++) {
            if (t >= r * tokens / n && t < (r + 1) * tokens / n) {
                return r;
            }
        }
        throw new AssertionError("token " + t + " has no home");
    }
}
