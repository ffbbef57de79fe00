package dev.flashcomm.tp.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.tp.Engines;
import dev.flashcomm.tp.Fixtures;
import dev.flashcomm.tp.checkpoint.Checkpoint;
import dev.flashcomm.tp.comm.Communicator;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fused layer calls (the default on GPUs) against the DJL ops and explicit attention (the path the reference
 * tests hold to transformers), on the real checkpoints: q/k/v biases (qwen2), per-head q/k norms and head_dim 48
 * (qwen3), tied embeddings and uneven KV groups (stories260K at TP 3, where a rank straddles a KV group and the
 * fused core gets expanded k/v); and the mixture-of-experts models, whose routed experts run as one fused
 * {@code moe_experts} call per rank (tensor-parallel experts) or one {@code expert_rows} call per owning rank (expert
 * parallelism) instead of one call per expert.
 */
class FusedLayersTest {

    private static final Communicator SUM = ForwardMemoryTest.SUM;

    @ParameterizedTest(name = "{0} TP {1}")
    @CsvSource({"stories260K, 1, TP", "stories260K, 3, TP", "llama3-tiny, 2, TP", "qwen2-tiny, 2, TP",
            "qwen3-tiny, 4, TP", "qwen3-moe-tiny, 2, TP", "qwen2-moe-tiny, 3, TP", "mixtral-tiny, 4, TP",
            "qwen3-moe-tiny, 4, EP", "qwen2-moe-tiny, 2, EP", "mixtral-tiny, 3, EP"})
    void fusedLayersAgreeWithTheDjlOps(String name, int tp, MoeParallel moe) {
        Checkpoint ck = Checkpoint.open(Fixtures.model(name));
        try (TransformerModel model = TransformerModel.load(ck, ShardPlan.balanced(ck.config(), tp, moe),
                List.of(Device.cpu()), DataType.FLOAT32);
             NDManager step = Engines.newRootManager(Device.cpu())) {
            int len = 48;
            int[] ids = new int[2 * len];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = (i * 37 + 11) % ck.config().vocabSize();
            }
            NDArray x = step.create(ids, new Shape(2, len));
            float[] ops = model.finalHidden(x, SUM, TransformerModel.ATTENTION_SCORE_BUDGET).toFloatArray();
            float[] fused = model.finalHidden(x, SUM,
                    new Attention(model.loadKernels(), TransformerModel.ATTENTION_SCORE_BUDGET)).toFloatArray();
            double worst = 0;
            for (int i = 0; i < ops.length; i++) {
                worst = Math.max(worst, Math.abs(ops[i] - fused[i]) / (1 + Math.abs(ops[i])));
            }
            assertTrue(worst < 1e-5, name + " TP " + tp + ": fused layers differ by " + worst);
        }
    }
}
