package dev.flashcomm.tp.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FusedKernelsTest {

    @Test
    void archiveHoldsTheRecordsTorchReads() throws IOException {
        byte[] zip = TorchScriptArchive.of("M", "class M(Module):\n  training : bool\n");
        List<String> names = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                names.add(e.getName());
                assertEquals(ZipEntry.STORED, e.getMethod(), e.getName());
            }
        }
        assertEquals(List.of("flashcomm/version", "flashcomm/byteorder", "flashcomm/code/__torch__.py",
                "flashcomm/data.pkl", "flashcomm/constants.pkl"), names);
        assertThrows(IllegalArgumentException.class, () -> TorchScriptArchive.of("no-name", ""));
    }

    @Test
    void modulePickleIsAnObjectWithTrainingTrue() {
        byte[] expected = ("\u0080\u0002c__torch__\nM\n)\u0081}(X\u0008\u0000\u0000\u0000training\u0088ub.")
                .chars().collect(java.io.ByteArrayOutputStream::new, (s, c) -> s.write(c), (a, b) -> { })
                .toByteArray();
        assertArrayEquals(expected, TorchScriptArchive.modulePickle("M"));
    }

    /** libtorch compiles the module written for every combination of layer features (not only the models'). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.flashcomm.tp.kernels.KernelSourceGoldenTest#allFeatures")
    void everyFeatureCombinationCompiles(FusedKernels.LayerFeatures features) {
        try (NDManager m = NDManager.newBaseManager(); FusedKernels kernels = FusedKernels.load(m, features)) {
            assertEquals(features, kernels.features());
        }
    }

    /** The fused kernel against softmax(q·kᵀ/sqrt(d) + mask)·v written out, with grouped KV heads. */
    @Test
    void causalAttentionEqualsTheExplicitFormula() {
        try (NDManager m = NDManager.newBaseManager(); FusedKernels kernels = FusedKernels.load(m)) {
            int b = 2, heads = 6, kvHeads = 2, len = 9, d = 8;
            NDArray q = random(m, b, heads, len, d, 1);
            NDArray k = random(m, b, kvHeads, len, d, 2);
            NDArray v = random(m, b, kvHeads, len, d, 3);
            NDArray fused = kernels.causalAttention(q, k, v);
            assertEquals(new Shape(b, heads, len, d), fused.getShape());
            assertEquals(DataType.FLOAT32, fused.getDataType());
            int group = heads / kvHeads;
            NDArray kx = k.repeat(1, group);
            NDArray vx = v.repeat(1, group);
            NDArray scores = q.matMul(kx.transpose(0, 1, 3, 2)).div(Math.sqrt(d));
            NDArray future = m.arange(len).reshape(1, len).gt(m.arange(len).reshape(len, 1));
            scores = scores.add(future.toType(DataType.FLOAT32, false).mul(-1e30f));
            float[] expected = scores.softmax(-1).matMul(vx).toFloatArray();
            float[] actual = fused.toFloatArray();
            double worst = 0;
            for (int i = 0; i < expected.length; i++) {
                worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
            }
            assertTrue(worst < 1e-6, "max difference " + worst);
        }
    }

    private static NDArray random(NDManager m, int b, int h, int len, int d, long seed) {
        Random r = new Random(seed);
        float[] x = new float[b * h * len * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return m.create(x, new Shape(b, h, len, d));
    }
}
