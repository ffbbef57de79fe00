package dev.flashcomm.tp.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The cached forward, teacher-forced, against the full forward of each row alone: two rows of different lengths
 * (so one is left-padded) are prefilled and then fed three more tokens in steps of 2 and 1; the hidden state of
 * every real slot must equal the full forward's at that position. Run with the explicit core and with the fused
 * calls (the GPU default), on q/k/v biases (qwen2), q/k norms (qwen3) and a rank straddling a KV group
 * (stories260K at TP 3), and on the three mixture-of-experts models at TP 1 and 2: a decode step routes its
 * {@code [B, n]} tokens (padding slots included) on its own, so each real token must pick the experts, with the
 * weights, that the full forward gave it (a Qwen3-MoE dense layer, a Qwen2-MoE shared expert, Mixtral's names).
 */
class DecodeSessionTest {

    private static final Communicator SUM = ForwardMemoryTest.SUM;
    /** {@code -Dflashcomm.test.device=gpu} runs the same checks on a GPU (the lent machine; CI has none). */
    private static final Device DEVICE = Device.fromName(System.getProperty("flashcomm.test.device", "cpu"));

    @ParameterizedTest(name = "{0} TP {1} fused {2}")
    @CsvSource({"stories260K, 1, false", "stories260K, 3, false", "stories260K, 3, true", "llama3-tiny, 2, false",
        "llama3-tiny, 2, true", "qwen2-tiny, 2, true", "qwen3-tiny, 4, false", "qwen3-tiny, 4, true",
        "qwen3-moe-tiny, 1, false", "qwen3-moe-tiny, 2, true", "qwen2-moe-tiny, 1, true", "qwen2-moe-tiny, 2, false",
        "mixtral-tiny, 1, false", "mixtral-tiny, 2, true"})
    void cachedStepsEqualTheFullForwardOfEachRow(String name, int tp, boolean fused) {
        Checkpoint ck = Checkpoint.open(Fixtures.model(name));
        int vocab = ck.config().vocabSize();
        int[][] rows = {tokens(13, vocab, 1), tokens(7, vocab, 2)};
        int[] feed = {2, 1}; // then slots in steps of 2 and 1
        try (TransformerModel model = TransformerModel.load(ck, ShardPlan.balanced(ck.config(), tp),
                List.of(DEVICE), DataType.FLOAT32);
             NDManager root = Engines.newRootManager(DEVICE)) {
            Attention attention = fused ? new Attention(model.loadKernels(), TransformerModel.ATTENTION_SCORE_BUDGET)
                    : Attention.explicit(TransformerModel.ATTENTION_SCORE_BUDGET);
            int prompt = 10;
            int total = rows[0].length; // row 1 is padded by 6 slots at the left
            int[] padding = {0, rows[0].length - rows[1].length};
            float[][][] cached = new float[2][total][];
            try (DecodeSession session = model.startDecoding(padding, total, attention)) {
                int at = 0;
                for (int n : new int[] {prompt, feed[0], feed[1]}) {
                    int[] ids = new int[2 * n];
                    for (int b = 0; b < 2; b++) {
                        for (int i = 0; i < n; i++) {
                            int slot = at + i - padding[b];
                            ids[b * n + i] = slot >= 0 ? rows[b][slot] : 0;
                        }
                    }
                    try (NDManager step = root.newSubManager()) {
                        float[] h = session.step(step.create(ids, new Shape(2, n)), SUM).toFloatArray();
                        int width = ck.config().hiddenSize();
                        for (int b = 0; b < 2; b++) {
                            for (int i = 0; i < n; i++) {
                                cached[b][at + i] = Arrays.copyOfRange(h, (b * n + i) * width, (b * n + i + 1) * width);
                            }
                        }
                    }
                    at += n;
                }
                assertEquals(prompt + 3, session.length());
                assertThrows(IllegalStateException.class, () -> session.step(root.create(new int[2], new Shape(2, 1)),
                        SUM), "the cache is full");
            }
            double worst = 0;
            for (int b = 0; b < 2; b++) {
                int used = prompt + 3 - padding[b];
                int[] row = Arrays.copyOf(rows[b], used);
                try (NDManager step = root.newSubManager()) {
                    float[] full = model.finalHidden(step.create(row, new Shape(1, used)), SUM, attention)
                            .toFloatArray();
                    int width = ck.config().hiddenSize();
                    for (int p = 0; p < used; p++) {
                        float[] c = cached[b][p + padding[b]];
                        for (int k = 0; k < width; k++) {
                            float want = full[p * width + k];
                            worst = Math.max(worst, Math.abs(want - c[k]) / (1 + Math.abs(want)));
                        }
                    }
                }
            }
            assertTrue(worst < 1e-5, name + " TP " + tp + ": cached hidden states differ by " + worst);
        }
    }

    @Test
    void theCacheIsSizedUpFront() {
        Checkpoint ck = Checkpoint.open(Fixtures.model("llama3-tiny"));
        try (TransformerModel model = TransformerModel.load(ck, ShardPlan.balanced(ck.config(), 2),
                List.of(DEVICE), DataType.FLOAT32);
             DecodeSession session = model.startDecoding(new int[] {0, 3, 1}, 40)) {
            // 2 (k, v) x 4 layers x 2 KV heads x 32 dims x 4 bytes per slot and row
            assertEquals(2L * 4 * 2 * 32 * 4, model.kvCacheBytesPerSlot());
            assertEquals(3 * 40 * model.kvCacheBytesPerSlot(), session.cacheBytes());
            assertThrows(IllegalArgumentException.class, () -> model.startDecoding(new int[] {40}, 40));
        }
    }

    private static int[] tokens(int n, int vocab, int seed) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = (i * 37 + 11 * seed + 5) % vocab;
        }
        return t;
    }
}
