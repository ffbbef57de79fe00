package dev.flashcomm.tp.comm.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.quant.Accumulation;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.ElementType;
import dev.flashcomm.quant.Half;
import dev.flashcomm.quant.allreduce.CommPath;
import dev.flashcomm.tp.Engines;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The float elements, scale dtypes, spikes, phase widths and accumulation dtypes on the engine: bit-identical to the
 * host on a fast subset of the case grid ({@link EngineAllReduceEqualsHostTest} runs the whole grid), the element
 * codes, and the inf cast.
 */
class EngineFormatsTest {

    private static NDManager cpu;

    /** Shapes that cover short tail groups, g >= cols, one-element groups and more groups than ranks. */
    private static final List<EngineCases.Case> FAST = List.of(new EngineCases.Case(3, 7, 2, 2),
            new EngineCases.Case(5, 64, 7, 4), new EngineCases.Case(17, 300, 128, 3), new EngineCases.Case(2, 600, 496, 2),
            new EngineCases.Case(4, 33, 1, 3));

    @BeforeAll
    static void open() {
        cpu = Engines.newRootManager(Device.cpu());
    }

    @AfterAll
    static void close() {
        cpu.close();
    }

    static Stream<Arguments> grid() {
        return FAST.stream().flatMap(c -> EngineCases.newFormats(c.group())
                .flatMap(f -> Stream.of(CommPath.FAKE, CommPath.PACKED, CommPath.RING).map(p -> Arguments.of(f, p, c))));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("grid")
    void newFormatsMatchHost(CommFormat format, CommPath path, EngineCases.Case c) {
        EngineCases.assertEngineMatchesHost(List.of(cpu), format, path, c);
    }

    static Stream<Arguments> packedGrid() {
        return FAST.stream().flatMap(c -> EngineCases.newFormats(c.group()).map(f -> Arguments.of(f, c)));
    }

    /** Packed == fake, and the bytes counted from the moved buffers == the host's count, on both packed paths. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("packedGrid")
    void packedBuffersCountTheHostsBytes(CommFormat format, EngineCases.Case c) {
        float[][] p = EngineCases.partials(c.rows() * 5L + c.ranks(), format, c.ranks(), c.rows(), c.cols());
        try (NDManager m = cpu.newSubManager()) {
            NDArray first = m.create(p[0], new Shape(c.rows(), c.cols()));
            try (Workspace ws = Workspace.newUnder(first)) {
                List<NDArray> work = new java.util.ArrayList<>();
                for (float[] part : p) {
                    work.add(ws.adopt(m.create(part, new Shape(c.rows(), c.cols())), c.rows(), c.cols()));
                }
                EngineFlashPackedAllReduce packedReduce = new EngineFlashPackedAllReduce(format.reduceScatter(),
                        format.allGather(), Accumulation.FP16);
                float[] fake = new EngineFlashFakeAllReduce(format.reduceScatter(), format.allGather(),
                        Accumulation.FP16).reduce(work, ws).toFloatArray();
                long[] hostBytes = dev.flashcomm.quant.allreduce.AllReduceAlgorithms.create(format, CommPath.PACKED)
                        .bytesSentPerRank(c.ranks(), c.rows(), c.cols());
                EngineFlashPackedAllReduce.Result one = packedReduce.reduceCounting(work, ws);
                EngineFlashPackedAllReduce.Result chunked = packedReduce.reduceRankByRank(work, ws);
                EngineCases.assertBitsEqual(fake, one.sum().toFloatArray(), format + " " + c + " packed");
                EngineCases.assertBitsEqual(fake, chunked.sum().toFloatArray(), format + " " + c + " chunk by chunk");
                org.junit.jupiter.api.Assertions.assertArrayEquals(hostBytes, one.bytesSentPerRank(), format + " " + c);
                org.junit.jupiter.api.Assertions.assertArrayEquals(hostBytes, chunked.bytesSentPerRank(), format + " " + c);
            }
        }
    }

    static Stream<Arguments> accumulations() {
        return FAST.stream().flatMap(c -> Stream.of(Accumulation.FP16, Accumulation.BF16).flatMap(acc -> Stream.of(
                Arguments.of(CommFormat.parse("int8-sym-g" + c.group()), CommPath.PACKED, acc, c),
                Arguments.of(CommFormat.parse("fp8-e4m3-g" + c.group() + "-sfp32"), CommPath.FAKE, acc, c),
                Arguments.of(CommFormat.parse("int2-asym-g" + c.group() + "-spike"), CommPath.RING, acc, c),
                Arguments.of(CommFormat.FP16, CommPath.FAKE, acc, c), Arguments.of(CommFormat.BF16, CommPath.FAKE, acc, c))));
    }

    @ParameterizedTest(name = "{0} {1} acc {2} {3}")
    @MethodSource("accumulations")
    void accumulationsMatchHost(CommFormat format, CommPath path, Accumulation acc, EngineCases.Case c) {
        EngineCases.assertEngineMatchesHost(List.of(cpu), format, path, acc, c);
    }

    @Test
    void everyFiniteE4m3CodeRoundTripsThroughEnginePacking() {
        // rows [448, v]: the fp32 scale is 448/448 = 1, so v itself is coded, and must come back bit for bit
        float[] x = new float[254 * 2];
        int n = 0;
        for (int code = 0; code < 256; code++) {
            float v = ElementType.FP8_E4M3.decode(code);
            if (!Float.isNaN(v)) {
                x[2 * n] = 448f;
                x[2 * n + 1] = v;
                n++;
            }
        }
        EngineGroupQuantizer q = new EngineGroupQuantizer(CommFormat.parse("fp8-e4m3-g2-sfp32").reduceScatter());
        try (NDManager m = cpu.newSubManager()) {
            NDArray groups = m.create(x, new Shape(254, 2));
            PackedPiece packed = q.pack(groups);
            byte[] codes = packed.codes().toByteArray();
            int k = 0;
            for (int code = 0; code < 256; code++) {
                if (!Float.isNaN(ElementType.FP8_E4M3.decode(code))) {
                    assertEquals(0x7e, codes[2 * k] & 0xff);
                    assertEquals(code, codes[2 * k + 1] & 0xff, "code of " + ElementType.FP8_E4M3.decode(code));
                    k++;
                }
            }
            float[] back = q.unpack(packed).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(back[i]), "element " + i);
            }
            assertEquals(254 * (2 + 4), packed.byteSize(), "one byte per code, four per fp32 scale");
        }
    }

    @Test
    void engineInfCastEqualsHost() {
        Random rnd = new Random(5);
        float[] x = new float[20_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 3 == 0 ? Float.intBitsToFloat(rnd.nextInt() & 0xc7ffffff) : (float) (rnd.nextGaussian() * 70000);
        }
        float[] edges = {65504f, 65519.99f, 65520f, -65520f, 65536f, Float.POSITIVE_INFINITY, -0f, 0x1p-25f};
        System.arraycopy(edges, 0, x, 0, edges.length);
        try (NDManager m = cpu.newSubManager()) {
            float[] got = EngineRounding.r16Inf(m.create(x)).toFloatArray();
            float[] want = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                want[i] = Float.isNaN(x[i]) ? x[i] : Half.r16Inf(x[i]);
            }
            EngineCases.assertBitsEqual(want, got, "r16Inf");
        }
    }

    @Test
    void spikeBuffersAreCountedFromRealBytes() {
        CommFormat f = CommFormat.parse("int2-asym-g300-spike");
        EngineGroupQuantizer q = new EngineGroupQuantizer(f.reduceScatter());
        float[] x = new float[2 * 300];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i);
        }
        x[299] = 50f;
        x[301] = -50f;
        try (NDManager m = cpu.newSubManager()) {
            PackedPiece p = q.pack(m.create(x, new Shape(2, 300)));
            // per group: fp16 scale + fp16 min, 2 fp16 spikes, 2 two-byte positions, 300 2-bit codes
            assertEquals(2L * (2 + 2 + 4 + 4 + 75), p.byteSize());
            assertEquals(2L * f.reduceScatter().headerBytes() + 2 * 75, p.byteSize());
            float[] back = q.unpack(p).toFloatArray();
            assertEquals(50f, back[299]);
            assertEquals(-50f, back[301]);
            float[] host = x.clone();
            new dev.flashcomm.quant.GroupQuantizer(f.reduceScatter()).qdqInPlace(host, 2, 300);
            assertArrayEquals(host, back);
        }
    }
}
