package dev.flashcomm.tp.model;

import dev.flashcomm.tp.comm.LegTraffic;

/**
 * The rows each rank sends and receives on the two expert-parallel legs of one sparse block, from the real routing
 * (docs/flash-allreduce.md): a token belongs to the rank that holds it in a sequence-parallel split of the batch's
 * tokens ({@code [floor(r·T/N), floor((r+1)·T/N))}); dispatch sends it once to each other rank that owns one of its
 * experts (DeepEP sends a token once per destination rank), combine sends each of its expert outputs that was
 * computed on another rank back to it.
 */
record ExpertTraffic(LegTraffic dispatch, LegTraffic combine) {

    static ExpertTraffic of(Routing routing, ShardPlan plan) {
        int ranks = plan.ranks();
        int tokens = routing.tokens();
        int k = routing.topK();
        int[] ownerOfExpert = new int[routing.experts()];
        for (int e = 0; e < ownerOfExpert.length; e++) {
            ownerOfExpert[e] = plan.expertOwner(e, routing.experts());
        }
        long[] dispatchSent = new long[ranks];
        long[] dispatchReceived = new long[ranks];
        long[] combineSent = new long[ranks];
        long[] combineReceived = new long[ranks];
        boolean[] destination = new boolean[ranks];
        int home = 0;
        for (int t = 0; t < tokens; t++) {
            while (t >= ShardPlan.split(home + 1, tokens, ranks)) {
                home++;
            }
            java.util.Arrays.fill(destination, false);
            for (int j = 0; j < k; j++) {
                int owner = ownerOfExpert[routing.choice()[t * k + j]];
                dispatchReceived[owner]++; // the rank's experts compute this pair, wherever the token lives
                if (owner != home) {
                    destination[owner] = true;
                    combineSent[owner]++;
                    combineReceived[home]++;
                }
            }
            for (int r = 0; r < ranks; r++) {
                if (destination[r]) {
                    dispatchSent[home]++;
                }
            }
        }
        return new ExpertTraffic(new LegTraffic(dispatchSent, dispatchReceived),
                new LegTraffic(combineSent, combineReceived));
    }
}
