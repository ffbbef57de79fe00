package dev.flashcomm.tp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashcomm.tp.checkpoint.Checkpoint;
import dev.flashcomm.tp.checkpoint.MoeSpec;
import dev.flashcomm.tp.model.ShardPlan;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The mixture-of-experts sibling of {@link TensorParallelExactTest}: with exact communication, every TP degree from
 * 2 to 8 computes the unsharded model up to float rounding, on the three trained MoE checkpoints. Tensor-parallel
 * experts split each expert over its own columns, so the degrees that do not divide them are the interesting ones:
 * 96 expert columns (Qwen3-MoE, Qwen2-MoE) go 19/19/19/19/20 at TP 5 and 13/14/14/13/14/14/14 at TP 7, Mixtral's 192
 * go 38/38/39/38/39 at TP 5, Qwen2-MoE's shared expert of 256 goes 85/85/86 at TP 3, and 8 heads over 2 or 4 KV heads
 * go 2/3/3 at TP 3 (a rank straddling a KV group). Qwen3-MoE's layer 1 is dense (MLP 512), so a model mixes both
 * kinds of layer.
 *
 * <p>Tolerance: max |Δlogit| / max |logit| ≤ 1e-5 (logits reach about 17 here). TP N sums the same fp32 products
 * as TP 1 in another grouping (N partials per all-reduce), which moves a logit by a few ulps: 4e-7 to 6e-7 measured
 * on a CPU at every degree. A column range one short at TP 5 and 7, or the shared expert counted whole on every
 * rank, moves logits by 9e-2 to 0.97 of their scale (tried as mutants). Routing is computed on replicated
 * activations, so TP N could route differently only where a rounding difference flips a near-tie between two
 * experts; these windows have none (a flip would show as an error of order 1e-2, not as a slightly loose match).
 */
class MoeTensorParallelExactTest {

    /** Three short windows: 60 tokens, each routed to k experts per sparse layer, so every expert gets some. */
    private static final int BATCH = 3;
    private static final int LEN = 20;

    /** TP 1 logits, computed once per model for its seven TP degrees. */
    private static final Map<String, float[]> UNSHARDED = new ConcurrentHashMap<>();

    static Stream<Arguments> grid() {
        return Stream.of("qwen3-moe-tiny", "qwen2-moe-tiny", "mixtral-tiny")
                .flatMap(m -> IntStream.rangeClosed(2, 8).mapToObj(tp -> Arguments.of(m, tp)));
    }

    @ParameterizedTest(name = "{0} tp={1}")
    @MethodSource("grid")
    void shardedLogitsEqualUnsharded(String name, int tp) {
        Checkpoint ck = Checkpoint.open(Fixtures.model(name));
        MoeSpec moe = ck.config().moe();
        assertTrue(moe != null && ck.config().sparseLayer(0), name + " is a mixture-of-experts checkpoint");
        int[] ids = ids(ck.config().vocabSize());
        float[] full = UNSHARDED.computeIfAbsent(name, n -> TensorParallelExactTest.logits(ck, 1, ids, BATCH, LEN));
        float[] sharded = TensorParallelExactTest.logits(ck, tp, ids, BATCH, LEN);
        assertEquals(full.length, sharded.length);
        double maxAbs = 0;
        double maxDiff = 0;
        for (int i = 0; i < full.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(full[i]));
            maxDiff = Math.max(maxDiff, Math.abs(full[i] - sharded[i]));
        }
        double rel = maxDiff / maxAbs;
        ShardPlan plan = ShardPlan.balanced(ck.config(), tp);
        assertTrue(rel <= 1e-5, name + " tp=" + tp + " (rank 0 has " + width(plan, 0, moe.expertColumns())
                + " of " + moe.expertColumns() + " expert columns): max |Δlogit| / max |logit| = " + rel);
    }

    private static int width(ShardPlan plan, int rank, int columns) {
        int[] r = plan.range(rank, columns);
        return r[1] - r[0];
    }

    private static int[] ids(int vocab) {
        int[] ids = new int[BATCH * LEN];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (int) ((i * 2654435761L) % vocab);
        }
        return ids;
    }
}
