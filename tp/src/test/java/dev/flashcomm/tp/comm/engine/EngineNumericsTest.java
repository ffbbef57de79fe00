package dev.flashcomm.tp.comm.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.Half;
import dev.flashcomm.quant.allreduce.AllReduceAlgorithms;
import dev.flashcomm.quant.allreduce.CommPath;
import dev.flashcomm.tp.Engines;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EngineNumericsTest {

    private static NDManager cpu;

    @BeforeAll
    static void open() {
        cpu = Engines.newRootManager(Device.cpu());
    }

    @AfterAll
    static void close() {
        cpu.close();
    }

    /** Random bit patterns (all finite values and ±Inf), plus ties, subnormals, and the edges of both formats. */
    private static float[] awkwardFloats() {
        Random rnd = new Random(3);
        List<Float> v = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(rnd.nextInt());
            if (!Float.isNaN(f)) {
                v.add(f);
            }
        }
        for (int i = 0; i < 20_000; i++) {
            int bits = rnd.nextInt();
            v.add(Float.intBitsToFloat((bits & 0xffff0000) | 0x8000));  // bf16 ties
            v.add(Float.intBitsToFloat((bits & 0xffffe000) | 0x1000));  // fp16 ties (normal range)
            v.add(Float.intBitsToFloat(bits & 0x807fffff));             // fp32 subnormals
            v.add((float) ((rnd.nextInt(2048) + 0.5) * 0x1p-24) * (rnd.nextBoolean() ? 1 : -1)); // fp16 subnormal ties
            v.add((float) (rnd.nextGaussian() * 70000));
        }
        float[] edges = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0x1.fep127f, 0x1.ff8p127f, 0x1.ff7fp127f, 0x1.ffp127f,
            65504f, 65519.99f, 65520f, -65520f, 65536f, 0x1p-14f, 0x1p-24f, 0x1p-25f, 0x1.8p-25f, 0x1.000002p-25f,
            0x1p-126f, 0x1p-133f, 0x1p-134f, 0x1.8p-133f, 1f, -1f, 1.00390625f, 1.01171875f};
        v.removeIf(f -> Float.isNaN(f)); // NaN payloads are out of scope (NaN stays NaN in both)
        float[] out = new float[v.size() + edges.length];
        for (int i = 0; i < v.size(); i++) {
            out[i] = v.get(i);
        }
        System.arraycopy(edges, 0, out, v.size(), edges.length);
        return out;
    }

    @Test
    void roundingMatchesHalfBitForBit() {
        float[] x = awkwardFloats();
        float[] want16 = new float[x.length];
        float[] wantBf = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            want16[i] = Half.r16(x[i]);
            wantBf[i] = Half.rbf16(x[i]);
        }
        try (Workspace ws = Workspace.newUnder(cpu.create(0f))) {
            NDArray in = ws.on(Device.cpu()).create(x);
            EngineCases.assertBitsEqual(want16, EngineRounding.r16(in).toFloatArray(), "r16");
            // the fused libtorch conversion (the default) and the DJL-ops emulation (without fused kernels)
            EngineCases.assertBitsEqual(wantBf, EngineRounding.rbf16(in, ws.powersOfTwo(Device.cpu())).toFloatArray(),
                    "rbf16");
            EngineCases.assertBitsEqual(wantBf, EngineRounding.rbf16Ops(in, ws.powersOfTwo(Device.cpu()))
                    .toFloatArray(), "rbf16 as DJL ops");
        }
    }

    static Stream<Arguments> packedGrid() {
        return EngineCases.CASES.stream().flatMap(c -> EngineCases.flashFormats(c.group()).map(f -> Arguments.of(f, c)));
    }

    /** Packed == fake bit for bit, and the bytes counted from the moved buffers == the host's byte count. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("packedGrid")
    void packedEqualsFakeAndCountsTheHostsBytes(CommFormat format, EngineCases.Case c) {
        float[][] p = EngineCases.partials(c.rows() * 7L + c.ranks(), format, c.ranks(), c.rows(), c.cols());
        List<NDArray> inputs = new ArrayList<>();
        for (float[] part : p) {
            inputs.add(cpu.create(part, new Shape(c.rows(), c.cols())));
        }
        try (Workspace ws = Workspace.newUnder(inputs.get(0))) {
            List<NDArray> work = new ArrayList<>();
            for (NDArray in : inputs) {
                work.add(ws.adopt(in, c.rows(), c.cols()));
            }
            EngineFlashPackedAllReduce.Result packed = new EngineFlashPackedAllReduce(format.reduceScatter(),
                    format.allGather()).reduceCounting(work, ws);
            float[] fake = new EngineFlashFakeAllReduce(format.reduceScatter(), format.allGather()).reduce(work, ws)
                    .toFloatArray();
            EngineCases.assertBitsEqual(fake, packed.sum().toFloatArray(), format + " " + c + " packed vs fake");
            long[] hostBytes = AllReduceAlgorithms.create(format, CommPath.PACKED).bytesSentPerRank(c.ranks(),
                    c.rows(), c.cols());
            assertArrayEquals(hostBytes, packed.bytesSentPerRank(), format + " " + c + " bytes");
            // the several-devices paths (chunk by chunk, rank by rank) give the same bits and bytes
            EngineFlashPackedAllReduce.Result chunked = new EngineFlashPackedAllReduce(format.reduceScatter(),
                    format.allGather()).reduceRankByRank(work, ws);
            EngineCases.assertBitsEqual(fake, chunked.sum().toFloatArray(), format + " " + c + " chunk by chunk");
            assertArrayEquals(hostBytes, chunked.bytesSentPerRank(), format + " " + c + " chunk-by-chunk bytes");
            EngineCases.assertBitsEqual(fake, new EngineFlashFakeAllReduce(format.reduceScatter(), format.allGather())
                    .reduceRankByRank(work, ws).toFloatArray(), format + " " + c + " fake rank by rank");
        } finally {
            inputs.forEach(NDArray::close);
        }
    }

    static Stream<Arguments> smallGrid() {
        return Stream.of("exact", "fp16", "bf16", "int8-asym-g7", "int6-sym-g32", "int4-asym-g100", "int3-sym-g2",
                "int2-asym-g1").flatMap(f -> Stream.of(CommPath.FAKE, CommPath.PACKED, CommPath.RING)
                .filter(path -> path != CommPath.RING || f.startsWith("int"))
                .map(path -> Arguments.of(CommFormat.parse(f), path)));
    }

    /** A fast subset of {@link EngineAllReduceEqualsHostTest}, so that the default test run covers every path. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("smallGrid")
    void engineMatchesHostOnSmallShapes(CommFormat format, CommPath path) {
        for (EngineCases.Case c : List.of(new EngineCases.Case(3, 7, 2, 2), new EngineCases.Case(17, 300, 1, 5),
                new EngineCases.Case(5, 64, 128, 8))) {
            EngineCases.assertEngineMatchesHost(List.of(cpu), format, path, c);
        }
    }
}
