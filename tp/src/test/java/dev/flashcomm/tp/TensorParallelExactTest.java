package dev.flashcomm.tp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.tp.checkpoint.Checkpoint;
import dev.flashcomm.tp.comm.CommSettings;
import dev.flashcomm.tp.comm.FormatCommunicator;
import dev.flashcomm.tp.comm.TrafficMeter;
import dev.flashcomm.tp.model.ShardPlan;
import dev.flashcomm.tp.model.TransformerModel;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** With exact communication, any TP degree computes the unsharded model up to float rounding. */
class TensorParallelExactTest {

    static Stream<Arguments> grid() {
        return Stream.of("stories260K", "llama3-tiny", "qwen2-tiny", "qwen3-tiny")
                .flatMap(m -> Stream.of(2, 3, 4, 8).map(tp -> Arguments.of(m, tp)));
    }

    @ParameterizedTest(name = "{0} tp={1}")
    @MethodSource("grid")
    void shardedLogitsEqualUnsharded(String name, int tp) {
        Checkpoint ck = Checkpoint.open(Fixtures.model(name));
        int vocab = ck.config().vocabSize();
        int batch = 2;
        int len = 48;
        int[] ids = new int[batch * len];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (int) ((i * 2654435761L) % vocab);
        }
        float[] full = logits(ck, 1, ids, batch, len);
        float[] sharded = logits(ck, tp, ids, batch, len);
        assertEquals(full.length, sharded.length);
        double maxAbs = 0;
        double maxDiff = 0;
        for (int i = 0; i < full.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(full[i]));
            maxDiff = Math.max(maxDiff, Math.abs(full[i] - sharded[i]));
        }
        double rel = maxDiff / maxAbs;
        assertTrue(rel <= 1e-5, "max |Δlogit| / max |logit| = " + rel);
    }

    static float[] logits(Checkpoint ck, int tp, int[] ids, int batch, int len) {
        try (TransformerModel model = TransformerModel.load(ck, ShardPlan.balanced(ck.config(), tp),
                List.of(Device.cpu()), DataType.FLOAT32);
             NDManager step = Engines.newRootManager(Device.cpu())) {
            return model.logits(step.create(ids, new Shape(batch, len)),
                    new FormatCommunicator(CommSettings.of("exact"), new TrafficMeter(), null)).toFloatArray();
        }
    }
}
