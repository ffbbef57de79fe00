package dev.flashcomm.tp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.flashcomm.tp.checkpoint.DecoderFamilies;
import dev.flashcomm.tp.checkpoint.ModelConfig;
import dev.flashcomm.tp.checkpoint.RopeScaling;
import dev.flashcomm.tp.model.ShardPlan.RankSlice;
import dev.flashcomm.tp.model.ShardPlan;
import org.junit.jupiter.api.Test;

class ShardPlanTest {

    static ModelConfig config(int heads, int kvHeads, int mlp) {
        return new ModelConfig(DecoderFamilies.LLAMA, 64, mlp, 2, heads, kvHeads, 8, 100, 512, 1e-5, 10000,
                RopeScaling.NONE, true, false, false, false, false, 0, "float32");
    }

    @Test
    void unevenMlpSplitIsContiguousAndBalanced() {
        // stories260K: MLP 172 over 8 ranks -> floor(r*172/8) boundaries
        ShardPlan plan = ShardPlan.balanced(config(8, 4, 172), 8);
        int[] expectedFrom = {0, 21, 43, 64, 86, 107, 129, 150};
        for (int r = 0; r < 8; r++) {
            RankSlice s = plan.slices().get(r);
            assertEquals(expectedFrom[r], s.mlpFrom());
            assertEquals(r == 7 ? 172 : expectedFrom[r + 1], s.mlpTo());
        }
    }

    @Test
    void kvHeadsAreReplicatedWhenRanksExceedThem() {
        // 8 query heads, 2 KV heads (groups of 4), TP 8: ranks 0-3 hold KV head 0, ranks 4-7 KV head 1
        ShardPlan plan = ShardPlan.balanced(config(8, 2, 64), 8);
        for (int r = 0; r < 8; r++) {
            RankSlice s = plan.slices().get(r);
            assertEquals(r, s.headFrom());
            assertEquals(r / 4, s.kvFrom());
            assertEquals(1, s.kvHeads());
        }
    }

    @Test
    void ranksStraddlingAKvGroupHoldBothKvHeads() {
        // 8 heads, 2 KV heads, TP 3: rank 1 owns heads 2..4 -> KV heads 0 and 1
        RankSlice s = ShardPlan.balanced(config(8, 2, 64), 3).slices().get(1);
        assertEquals(2, s.headFrom());
        assertEquals(5, s.headTo());
        assertEquals(0, s.kvFrom());
        assertEquals(2, s.kvTo());
    }

    @Test
    void tpBeyondHeadsIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ShardPlan.balanced(config(8, 2, 64), 9));
        assertEquals("--tp 9 is not possible: the model has 8 attention heads (TP must be between 1 and 8)",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ShardPlan.balanced(config(8, 2, 64), 0));
    }
}
