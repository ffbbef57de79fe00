package dev.flashcomm.tp.comm.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.QuantSpec;
import dev.flashcomm.tp.kernels.FusedKernels;
import dev.flashcomm.tp.kernels.SharedKernels;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The quantizer runs as one fused TorchScript call when libtorch compiles it (what the host-equality suites then
 * exercise) and as DJL ops otherwise; both must give the same bits, codes, scales and mins on the numerics'
 * corners (ties, constant and zero groups, subnormals, values beyond fp16).
 */
class FusedQuantizerTest {

    @Test
    void theSharedKernelsCompileOnThisLibtorch() {
        assertNotNull(SharedKernels.orNull(), "libtorch did not compile the fused kernels");
    }

    static Stream<QuantSpec> specs() {
        return Stream.of(128, 32, 7).flatMap(EngineCases::flashFormats).map(CommFormat::reduceScatter).distinct();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void fusedAndUnfusedQuantizersAgreeBitForBit(QuantSpec spec) {
        FusedKernels kernels = SharedKernels.orNull();
        assertNotNull(kernels);
        EngineGroupQuantizer fused = new EngineGroupQuantizer(spec, kernels);
        EngineGroupQuantizer ops = new EngineGroupQuantizer(spec, null);
        int cols = spec.groupSize();
        for (long seed = 1; seed <= 3; seed++) {
            float[][] p = EngineCases.partials(seed, CommFormat.parse(name(spec)), 1, 60, cols);
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray groups = m.create(p[0], new Shape(60, cols));
                EngineCases.assertBitsEqual(ops.qdq(groups).toFloatArray(), fused.qdq(groups).toFloatArray(),
                        spec + " qdq");
                PackedPiece a = ops.pack(groups);
                PackedPiece b = fused.pack(groups);
                assertArrayEquals(a.codes().toByteArray(), b.codes().toByteArray(), spec + " codes");
                assertArrayEquals(a.scale().toByteArray(), b.scale().toByteArray(), spec + " scales");
                if (!spec.symmetric()) {
                    assertArrayEquals(a.min().toByteArray(), b.min().toByteArray(), spec + " mins");
                }
            }
        }
    }

    private static String name(QuantSpec s) {
        return "int" + s.bits() + (s.symmetric() ? "-sym" : "-asym") + "-g" + s.groupSize();
    }
}
