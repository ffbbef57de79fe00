package dev.flashcomm.eval.ppl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.flashcomm.tp.model.Routing;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Routing traces compared token by token, on routings written by hand (E = 4 experts, k = 2). */
class RoutingTraceTest {

    /** Four tokens' choices, each a sorted pair of experts, with equal weights. */
    static Routing routing(int... pairs) {
        int tokens = pairs.length / 2;
        return new Routing(tokens, 2, 4, pairs, new float[pairs.length]);
    }

    @Test
    void changedFractionCountsTokensWhoseExpertSetDiffers() {
        RoutingTrace baseline = new RoutingTrace();
        RoutingTrace cell = new RoutingTrace();
        // layer 0, one forward of 4 tokens: token 1 swaps expert 2 for 3, token 3 picks {0, 3} instead of {1, 2}
        baseline.routed(0, routing(0, 1, 1, 2, 2, 3, 1, 2));
        cell.routed(0, routing(0, 1, 1, 3, 2, 3, 0, 3));
        // layer 2, two forwards of 2 tokens each: only the very last token differs
        baseline.routed(2, routing(0, 1, 2, 3));
        baseline.routed(2, routing(1, 2, 0, 3));
        cell.routed(2, routing(0, 1, 2, 3));
        cell.routed(2, routing(1, 2, 0, 2));
        assertEquals(Set.of(0, 2), cell.layers());
        assertEquals(4, cell.tokens(0));
        assertEquals(4, cell.tokens(2));
        assertEquals(2.0 / 4, cell.changedFraction(0, baseline));
        assertEquals(1.0 / 4, cell.changedFraction(2, baseline));
        assertEquals(0.0, baseline.changedFraction(0, baseline), "a trace agrees with itself");
    }

    /** The same set of experts is the same choice however its weights differ; {0, 3} is not {1, 2}. */
    @Test
    void theSignatureIsTheSetOfExperts() {
        RoutingTrace a = new RoutingTrace();
        RoutingTrace b = new RoutingTrace();
        a.routed(0, new Routing(2, 2, 4, new int[] {0, 3, 1, 2}, new float[] {0.9f, 0.1f, 0.5f, 0.5f}));
        b.routed(0, new Routing(2, 2, 4, new int[] {0, 3, 0, 3}, new float[] {0.6f, 0.4f, 0.5f, 0.5f}));
        assertEquals(0.5, a.changedFraction(0, b));
    }

    @Test
    void tracesOfDifferentTokensAreRefused() {
        RoutingTrace a = new RoutingTrace();
        RoutingTrace b = new RoutingTrace();
        a.routed(0, routing(0, 1, 1, 2));
        b.routed(0, routing(0, 1));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.changedFraction(0, b));
        assertEquals("layer 0 routed 2 tokens here and 1 in the baseline: not the same windows", e.getMessage());
    }
}
