package dev.flashcomm.tp.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.allreduce.CommPath;
import dev.flashcomm.tp.Engines;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The communicator with {@link CommImpl#ENGINE} against {@link CommImpl#HOST}: values, bytes, errors, memory. */
class EngineCommunicatorTest {

    private static final Shape SHAPE = new Shape(2, 3, 200);

    static Stream<Arguments> settings() {
        return Stream.of(
                Arguments.of("exact", CommPath.FAKE), Arguments.of("fp16", CommPath.FAKE),
                Arguments.of("bf16", CommPath.FAKE), Arguments.of("int4-asym-g128", CommPath.FAKE),
                Arguments.of("int6-sym-g32", CommPath.PACKED), Arguments.of("int3-asym-g7", CommPath.PACKED),
                Arguments.of("int2-sym-g64", CommPath.RING), Arguments.of("int8-asym-g1000", CommPath.PACKED));
    }

    private static List<NDArray> partials(NDManager m, Random rnd, int ranks, DataType type) {
        List<NDArray> out = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            float[] a = new float[(int) SHAPE.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (rnd.nextGaussian() * (i % 17 == 0 ? 100 : 1));
            }
            out.add(m.create(a, SHAPE).toType(type, false));
        }
        return out;
    }

    private static void assertSameBits(NDArray want, NDArray got, String label) {
        assertEquals(want.getShape(), got.getShape(), label);
        assertEquals(want.getDataType(), got.getDataType(), label);
        float[] w = want.toType(DataType.FLOAT32, false).toFloatArray();
        float[] g = got.toType(DataType.FLOAT32, false).toFloatArray();
        for (int i = 0; i < w.length; i++) {
            assertEquals(Float.floatToRawIntBits(w[i]), Float.floatToRawIntBits(g[i]), label + " element " + i);
        }
    }

    /** fp32 and fp16 partials, 3-d shape, selective scope: same sums, same bytes, same error rows (to 1e-9). */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("settings")
    void engineEqualsHostThroughTheCommunicator(String format, CommPath path) {
        CompressionScope mlpOnly = new CompressionScope(EnumSet.of(Site.MLP), null);
        CommSettings settings = new CommSettings(CommFormat.parse(format), path, mlpOnly);
        for (DataType type : List.of(DataType.FLOAT32, DataType.FLOAT16)) {
            TrafficMeter engineMeter = new TrafficMeter();
            TrafficMeter hostMeter = new TrafficMeter();
            SiteErrors engineErrors = new SiteErrors();
            SiteErrors hostErrors = new SiteErrors();
            FormatCommunicator engine = new FormatCommunicator(settings, CommImpl.ENGINE, engineMeter, engineErrors);
            FormatCommunicator host = new FormatCommunicator(settings, CommImpl.HOST, hostMeter, hostErrors);
            try (NDManager m = Engines.newRootManager(Device.cpu())) {
                Random rnd = new Random(format.hashCode());
                for (Site site : Site.values()) {
                    List<NDArray> p = partials(m, rnd, 3, type);
                    assertSameBits(host.allReduce(p, 0, site), engine.allReduce(p, 0, site),
                            format + " " + type + " " + site);
                }
            }
            assertEquals(hostMeter.snapshot(), engineMeter.snapshot());
            List<SiteErrors.Row> want = hostErrors.rows();
            List<SiteErrors.Row> got = engineErrors.rows();
            assertEquals(want.size(), got.size());
            for (int i = 0; i < want.size(); i++) {
                assertEquals(want.get(i).format(), got.get(i).format());
                assertEquals(want.get(i).elements(), got.get(i).elements());
                assertEquals(want.get(i).relativeL2(), got.get(i).relativeL2(), 1e-9 * (1 + want.get(i).relativeL2()));
                assertEquals(want.get(i).maxAbs(), got.get(i).maxAbs(), 0.0);
            }
        }
    }

    /** Only the result joins the caller's manager; every temporary (and sub-manager) is freed. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("settings")
    void noArrayLeaksIntoTheCallersManager(String format, CommPath path) {
        CommSettings settings = new CommSettings(CommFormat.parse(format), path, CompressionScope.ALL);
        for (SiteErrors errors : new SiteErrors[] {null, new SiteErrors()}) {
            try (NDManager m = Engines.newRootManager(Device.cpu())) {
                List<NDArray> p = partials(m, new Random(5), 4, DataType.FLOAT32);
                int before = m.getManagedArrays().size();
                NDArray s = new FormatCommunicator(settings, CommImpl.ENGINE, new TrafficMeter(), errors)
                        .allReduce(p, 1, Site.ATTENTION);
                List<NDArray> after = m.getManagedArrays();
                assertEquals(before + 1, after.size(), format + " " + path + " errors=" + (errors != null));
                assertTrue(after.contains(s));
                assertEquals(m, s.getManager());
                for (NDArray in : p) {
                    assertEquals(m, in.getManager()); // the caller's arrays stay where they were
                }
            }
        }
    }

    /** The engine path does no NaN check (no device-to-host copy): NaN flows through and poisons its group. */
    @Test
    void engineLetsNanThroughToTheModelsCheck() {
        try (NDManager m = Engines.newRootManager(Device.cpu())) {
            NDArray ok = m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
            NDArray bad = m.create(new float[] {1, 2, Float.NaN, 4}, new Shape(2, 2));
            float[] s = new FormatCommunicator(CommSettings.of("int4-asym-g2"), new TrafficMeter(), null)
                    .allReduce(List.of(ok, bad), 3, Site.MLP).toFloatArray();
            assertTrue(Float.isFinite(s[0]) && Float.isFinite(s[1]));
            assertTrue(Float.isNaN(s[2]) && Float.isNaN(s[3]));
        }
    }

    @Test
    void implParsesEngineAndHostOnly() {
        assertEquals(CommImpl.ENGINE, CommImpl.parse("engine"));
        assertEquals(CommImpl.HOST, CommImpl.parse(" HOST "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CommImpl.parse("gpu"));
        assertTrue(e.getMessage().contains("'gpu'") && e.getMessage().contains("engine")
                && e.getMessage().contains("host"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CommImpl.parse(null));
    }

    @Test
    void threeArgumentConstructorMeansEngine() {
        assertEquals(CommImpl.ENGINE, new FormatCommunicator(CommSettings.of("fp16"), new TrafficMeter(), null).impl());
    }

    @Test
    void benchmarkReportsATime() {
        for (CommImpl impl : CommImpl.values()) {
            EngineAllReduceBenchmark.Result r = EngineAllReduceBenchmark.run(CommSettings.of("int4"), impl, Device.cpu(),
                    2, 8, 256, 3);
            assertTrue(r.msPerAllReduce() > 0 && r.gbPerSecond() > 0, impl + ": " + r);
        }
    }
}
