package dev.flashcomm.tp.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.quant.Accumulation;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.Half;
import dev.flashcomm.quant.allreduce.AllReduceAlgorithms;
import dev.flashcomm.quant.allreduce.CommPath;
import dev.flashcomm.tp.Engines;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Casts, size thresholds, accumulation and presets through the communicator, engine against host. */
class CommunicatorOptionsTest {

    private static List<NDArray> partials(NDManager m, float[][] values, Shape shape) {
        List<NDArray> out = new ArrayList<>();
        for (float[] v : values) {
            out.add(m.create(v, shape));
        }
        return out;
    }

    private static float[][] gaussian(int ranks, int n, long seed, double big) {
        Random rnd = new Random(seed);
        float[][] p = new float[ranks][n];
        for (int r = 0; r < ranks; r++) {
            for (int i = 0; i < n; i++) {
                p[r][i] = (float) (rnd.nextGaussian() * (i % 29 == 0 ? big : 1));
            }
        }
        return p;
    }

    static Stream<Arguments> settings() {
        return Stream.of(
                Arguments.of("quickreduce-int4", null, null, CompressThreshold.NONE, CommPath.PACKED),
                Arguments.of("quickreduce-int6", null, CommCast.parse("bf16>fp16:saturate"), CompressThreshold.NONE,
                        CommPath.FAKE),
                Arguments.of("quickreduce-int8", null, null, null, CommPath.FAKE),
                Arguments.of("trtllm-fp8", null, null, null, CommPath.PACKED),
                Arguments.of("flashinfer-fp8", null, null, null, CommPath.RING),
                Arguments.of("flashcomm2-int2", null, CommCast.parse("fp16"), null, CommPath.PACKED),
                Arguments.of("fp4-e2m1-g32-se8m0", Accumulation.BF16, CommCast.parse("bf16"), null, CommPath.PACKED),
                Arguments.of("int4-sym-g16", Accumulation.FP16, CommCast.parse("bf16>fp16"),
                        CompressThreshold.atLeast(2 * 600 + 1), CommPath.FAKE),
                Arguments.of("fp16", Accumulation.FP16, CommCast.parse("fp16:inf"), null, CommPath.FAKE));
    }

    /** Same sums, same bytes, same compressed count and overflows, same error rows, in fp32 and fp16 partials. */
    @ParameterizedTest(name = "{0} acc={1} cast={2} min={3} {4}")
    @MethodSource("settings")
    void engineEqualsHost(String comm, Accumulation acc, CommCast cast, CompressThreshold t, CommPath path) {
        CommSettings settings = CommSettings.resolve(CommChoice.parse(comm), path, CompressionScope.ALL, acc, cast, t);
        for (DataType type : List.of(DataType.FLOAT32, DataType.FLOAT16)) {
            TrafficMeter engineMeter = new TrafficMeter();
            TrafficMeter hostMeter = new TrafficMeter();
            SiteErrors engineErrors = new SiteErrors();
            SiteErrors hostErrors = new SiteErrors();
            FormatCommunicator engine = new FormatCommunicator(settings, CommImpl.ENGINE, engineMeter, engineErrors);
            FormatCommunicator host = new FormatCommunicator(settings, CommImpl.HOST, hostMeter, hostErrors);
            try (NDManager m = Engines.newRootManager(Device.cpu())) {
                // [2, 600] and [1, 600]: 2400 and 1200 message bytes, one each side of the 1201-byte threshold
                for (int rows : new int[] {2, 1}) {
                    float[][] v = gaussian(2, rows * 600, comm.hashCode() + rows, type == DataType.FLOAT16 ? 2000 : 20000);
                    List<NDArray> p = new ArrayList<>();
                    for (NDArray a : partials(m, v, new Shape(rows, 600))) {
                        p.add(a.toType(type, false));
                    }
                    float[] want = host.allReduce(p, 0, Site.MLP).toType(DataType.FLOAT32, false).toFloatArray();
                    float[] got = engine.allReduce(p, 0, Site.MLP).toType(DataType.FLOAT32, false).toFloatArray();
                    for (int i = 0; i < want.length; i++) {
                        assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
                                settings.label() + " " + type + " rows " + rows + " element " + i);
                    }
                }
            }
            assertEquals(hostMeter.snapshot(), engineMeter.snapshot(), settings.label());
            assertEquals(hostErrors.rows().size(), engineErrors.rows().size());
            for (int i = 0; i < hostErrors.rows().size(); i++) {
                assertEquals(hostErrors.rows().get(i).overflows(), engineErrors.rows().get(i).overflows());
                assertEquals(hostErrors.rows().get(i).format(), engineErrors.rows().get(i).format());
            }
        }
    }

    @Test
    void messagesUnderTheThresholdGoInTheFallbackFormat() {
        for (CommImpl impl : CommImpl.values()) {
            for (long min : new long[] {1023, 1024, 1025}) {
                CommSettings s = CommSettings.resolve(CommChoice.parse("int2-sym-g8"), CommPath.FAKE,
                        CompressionScope.ALL, null, null, CompressThreshold.atLeast(min));
                TrafficMeter meter = new TrafficMeter();
                float[][] v = gaussian(2, 512, 3, 1);
                try (NDManager m = Engines.newRootManager(Device.cpu())) {
                    float[] got = new FormatCommunicator(s, impl, meter, null)
                            .allReduce(partials(m, v, new Shape(1, 512)), 0, Site.ATTENTION).toFloatArray();
                    boolean compressed = min <= 1024; // 512 elements: a 1024-byte message
                    assertEquals(compressed ? 1 : 0, meter.snapshot().compressedAllReduces(), impl + " min " + min);
                    CommFormat used = compressed ? CommFormat.parse("int2-sym-g8") : CommFormat.parse("fp16");
                    float[] want = AllReduceAlgorithms.create(used, CommPath.FAKE).reduce(v, 1, 512);
                    for (int i = 0; i < want.length; i++) {
                        assertEquals(want[i], got[i], impl + " min " + min + " element " + i);
                    }
                    long bytes = AllReduceAlgorithms.create(used, CommPath.FAKE).bytesSentPerRank(2, 1, 512)[0];
                    assertEquals(bytes, meter.snapshot().maxRankBytes());
                }
            }
        }
    }

    @Test
    void aBf16ToFp16CastSaturatesOrMakesInfAndCountsOverflows() {
        // bf16(65504) = 65536 and bf16(70000) = 70144 overflow fp16; 1 and -60000 (bf16: -59904) do not
        float[][] v = {{65504f, 1f, 70000f, -60000f}, {-70000f, 2f, 0.5f, 3f}};
        for (CommImpl impl : CommImpl.values()) {
            CommSettings saturate = CommSettings.resolve(CommChoice.parse("int8-sym-g4"), CommPath.FAKE,
                    CompressionScope.ALL, null, CommCast.parse("bf16>fp16:saturate"), null);
            TrafficMeter meter = new TrafficMeter();
            SiteErrors errors = new SiteErrors();
            try (NDManager m = Engines.newRootManager(Device.cpu())) {
                float[] got = new FormatCommunicator(saturate, impl, meter, errors)
                        .allReduce(partials(m, v, new Shape(1, 4)), 2, Site.MLP).toFloatArray();
                float[][] cast = {{65504f, 1f, 65504f, Half.r16(Half.rbf16(-60000f))}, {-65504f, 2f, 0.5f, 3f}};
                float[] want = AllReduceAlgorithms.create(CommFormat.parse("int8-sym-g4"), CommPath.FAKE).reduce(cast, 1, 4);
                for (int i = 0; i < 4; i++) {
                    assertEquals(want[i], got[i], impl + " element " + i);
                }
            }
            assertEquals(3, meter.snapshot().castOverflows(), impl.id());
            assertEquals(3, errors.rows().get(0).overflows());
            assertEquals(2, errors.rows().get(0).layer());

            CommSettings inf = CommSettings.resolve(CommChoice.parse("int8-sym-g4"), CommPath.FAKE,
                    CompressionScope.ALL, null, CommCast.parse("bf16>fp16:inf"), null);
            TrafficMeter infMeter = new TrafficMeter();
            try (NDManager m = Engines.newRootManager(Device.cpu())) {
                FormatCommunicator c = new FormatCommunicator(inf, impl, infMeter, null);
                if (impl == CommImpl.HOST) {
                    ArithmeticException e = assertThrows(ArithmeticException.class,
                            () -> c.allReduce(partials(m, v, new Shape(1, 4)), 2, Site.MLP));
                    assertTrue(e.getMessage().contains("the bf16>fp16:inf cast overflowed 3 element(s) to Inf"), e.getMessage());
                } else {
                    // the engine, like the kernel, carries on silently: the group with an Inf is garbage
                    float[] got = c.allReduce(partials(m, v, new Shape(1, 4)), 2, Site.MLP).toFloatArray();
                    boolean anyNonFinite = false;
                    for (float g : got) {
                        anyNonFinite |= !Float.isFinite(g);
                    }
                    assertTrue(anyNonFinite || got[1] != 3f, "an Inf in the group must show");
                }
            }
            assertEquals(3, infMeter.snapshot().castOverflows());
        }
    }

    @Test
    void theFallbackDoesNotRunTheKernelsCast() {
        // out of scope: bf16 activations travel as bf16, no fp16 conversion, no overflow
        CommSettings s = CommSettings.resolve(CommChoice.parse("quickreduce-int4"), CommPath.FAKE,
                new CompressionScope(java.util.EnumSet.of(Site.MLP), null), null, null, CompressThreshold.NONE);
        float[][] v = {{70000f, 1f}, {1f, 1f}};
        for (CommImpl impl : CommImpl.values()) {
            TrafficMeter meter = new TrafficMeter();
            try (NDManager m = Engines.newRootManager(Device.cpu())) {
                float[] got = new FormatCommunicator(s, impl, meter, null)
                        .allReduce(partials(m, v, new Shape(1, 2)), 0, Site.ATTENTION).toFloatArray();
                assertEquals(Half.rbf16(Half.rbf16(70000f) + 1f), got[0]);
                assertEquals(2f, got[1]);
            }
            assertEquals(0, meter.snapshot().castOverflows());
            assertEquals(0, meter.snapshot().compressedAllReduces());
        }
    }
}
