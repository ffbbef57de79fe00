package dev.flashcomm.eval.ppl;

import dev.flashcomm.tp.model.Routing;
import dev.flashcomm.tp.model.RoutingObserver;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every token's expert choice per sparse layer over a run, in the order the forward passes saw them, kept as one
 * 64-bit signature per (token, layer): an order-independent hash of the token's set of experts (a sum of
 * SplitMix64-mixed expert ids; two different sets share a signature with probability about 2^-64 per comparison).
 * Two traces of the same windows in the same batches compare token by token: the routing-agreement diagnostic.
 */
public final class RoutingTrace implements RoutingObserver {

    private final Map<Integer, long[]> signatures = new TreeMap<>();
    private final Map<Integer, Integer> sizes = new TreeMap<>();

    @Override
    public void routed(int layer, Routing routing) {
        int n = sizes.getOrDefault(layer, 0);
        long[] s = signatures.getOrDefault(layer, new long[0]);
        if (s.length < n + routing.tokens()) {
            s = Arrays.copyOf(s, Math.max(n + routing.tokens(), s.length * 2));
        }
        int k = routing.topK();
        int[] choice = routing.choice();
        for (int t = 0; t < routing.tokens(); t++) {
            long sig = 0;
            for (int j = 0; j < k; j++) {
                sig += mix(choice[t * k + j] + 1L);
            }
            s[n + t] = sig;
        }
        signatures.put(layer, s);
        sizes.put(layer, n + routing.tokens());
    }

    /** The sparse layers seen, ascending. */
    public java.util.Set<Integer> layers() {
        return sizes.keySet();
    }

    /** Tokens routed at {@code layer}. */
    public int tokens(int layer) {
        return sizes.getOrDefault(layer, 0);
    }

    /**
     * The fraction of {@code layer}'s tokens whose set of experts differs from {@code baseline}'s at the same
     * position.
     *
     * @throws IllegalStateException when the two traces did not route the same number of tokens there (not runs of
     *                               the same windows)
     */
    public double changedFraction(int layer, RoutingTrace baseline) {
        int n = tokens(layer);
        if (n != baseline.tokens(layer)) {
            throw new IllegalStateException("layer " + layer + " routed " + n + " tokens here and "
                    + baseline.tokens(layer) + " in the baseline: not the same windows");
        }
        if (n == 0) {
            return 0;
        }
        long[] a = signatures.get(layer);
        long[] b = baseline.signatures.get(layer);
        int changed = 0;
        for (int i = 0; i < n; i++) {
            if (a[i] != b[i]) {
                changed++;
            }
        }
        return (double) changed / n;
    }

    /** SplitMix64's finaliser: spreads small expert ids over all 64 bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
