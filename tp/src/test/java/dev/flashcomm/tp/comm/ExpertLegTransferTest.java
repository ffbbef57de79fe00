package dev.flashcomm.tp.comm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.Half;
import dev.flashcomm.quant.allreduce.CommPath;
import dev.flashcomm.tp.Engines;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link FormatCommunicator#transfer}, the expert-parallel legs: ENGINE and HOST give the same rows, bytes and
 * error rows; bytes per rank come from the rows each rank sends; a site outside {@code --compress-sites} goes bf16;
 * dispatch rows carry the expert load; all-reduce sites are refused.
 */
class ExpertLegTransferTest {

    /** Two ranks: rank 0 sends 3 token rows, rank 1 one; their experts compute 12 and 8 (token, expert) pairs. */
    static final LegTraffic DISPATCH = new LegTraffic(new long[] {3, 1}, new long[] {12, 8});
    /** The way back: rank 0 returns 4 expert outputs, rank 1 two. */
    static final LegTraffic COMBINE = new LegTraffic(new long[] {4, 2}, new long[] {2, 4});

    private static CommSettings legs(String dispatch, String combine, CompressionScope scope) {
        return CommSettings.resolve(CommChoice.parse("fp16"), CommPath.FAKE, scope, null, null, null,
                CommFormat.parse(dispatch), CommFormat.parse(combine));
    }

    private static NDArray rows(NDManager m, Random rnd, Shape shape, DataType type) {
        float[] a = new float[(int) shape.size()];
        for (int i = 0; i < a.length; i++) {
            // a few large values, so that a group's scale is set by one element now and then
            a[i] = (float) (rnd.nextGaussian() * (i % 23 == 0 ? 40 : 1));
        }
        return m.create(a, shape).toType(type, false);
    }

    private static void assertSameBits(NDArray want, NDArray got, String label) {
        assertEquals(want.getShape(), got.getShape(), label + " shape");
        assertEquals(want.getDataType(), got.getDataType(), label + " dtype");
        float[] w = want.toType(DataType.FLOAT32, false).toFloatArray();
        float[] g = got.toType(DataType.FLOAT32, false).toFloatArray();
        for (int i = 0; i < w.length; i++) {
            assertEquals(Float.floatToRawIntBits(w[i]), Float.floatToRawIntBits(g[i]), label + " element " + i);
        }
    }

    /**
     * Both legs in one format, 2-d and 3-d payloads (the shape must come back), fp32 and fp16 activations (returned
     * in their own dtype): the engine's rows are the host's bit for bit, the meters are equal, and so are the error
     * rows (relative L2 to 1e-9: the engine sums squares on the device, the host in doubles).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"exact", "fp16", "bf16", "int8-sym-g128", "int4-asym-g128", "fp8-e4m3-g128-sfp32",
        "fp8-e4m3-g128-se8m0"})
    void engineEqualsHostOnDispatchAndCombine(String format) {
        CommSettings settings = legs(format, format, CompressionScope.ALL);
        for (DataType type : List.of(DataType.FLOAT32, DataType.FLOAT16)) {
            TrafficMeter engineMeter = new TrafficMeter();
            TrafficMeter hostMeter = new TrafficMeter();
            SiteErrors engineErrors = new SiteErrors();
            SiteErrors hostErrors = new SiteErrors();
            FormatCommunicator engine = new FormatCommunicator(settings, CommImpl.ENGINE, engineMeter, engineErrors);
            FormatCommunicator host = new FormatCommunicator(settings, CommImpl.HOST, hostMeter, hostErrors);
            try (NDManager m = Engines.newRootManager(Device.cpu())) {
                Random rnd = new Random(format.hashCode());
                for (int layer = 0; layer < 2; layer++) {
                    // 10 tokens of H = 300 (two groups of 128 and a tail of 44); their 20 (token, expert) outputs
                    NDArray x = rows(m, rnd, layer == 0 ? new Shape(10, 300) : new Shape(2, 5, 300), type);
                    NDArray y = rows(m, rnd, new Shape(20, 300), type);
                    String label = format + " " + type + " layer " + layer;
                    assertSameBits(host.transfer(x, layer, Site.DISPATCH, DISPATCH),
                            engine.transfer(x, layer, Site.DISPATCH, DISPATCH), label + " dispatch");
                    assertSameBits(host.transfer(y, layer, Site.COMBINE, COMBINE),
                            engine.transfer(y, layer, Site.COMBINE, COMBINE), label + " combine");
                }
            }
            assertEquals(hostMeter.snapshot(), engineMeter.snapshot(), format + " " + type);
            List<SiteErrors.Row> want = hostErrors.rows();
            List<SiteErrors.Row> got = engineErrors.rows();
            assertEquals(4, want.size(), "two layers x dispatch and combine");
            assertEquals(want.size(), got.size());
            for (int i = 0; i < want.size(); i++) {
                SiteErrors.Row w = want.get(i);
                SiteErrors.Row g = got.get(i);
                assertEquals(w.site(), g.site());
                assertEquals(CommFormat.parse(format).name(), g.format());
                assertEquals(w.elements(), g.elements());
                assertEquals(w.relativeL2(), g.relativeL2(), 1e-9 * (1 + w.relativeL2()), format + " " + w.site());
                assertEquals(w.maxAbs(), g.maxAbs(), 0.0, format + " " + w.site());
                assertArrayEquals(w.expertLoad(), g.expertLoad());
            }
        }
    }

    @Test
    void bytesPerRankComeFromTheRowsEachRankSends() {
        CommSettings deepep = CommSettings.resolve(CommChoice.parse("deepep-ll"), CommPath.FAKE, CompressionScope.ALL,
                null, null, null);
        for (CommImpl impl : CommImpl.values()) {
            TrafficMeter meter = new TrafficMeter();
            FormatCommunicator comm = new FormatCommunicator(deepep, impl, meter, null);
            try (NDManager m = Engines.newRootManager(Device.cpu())) {
                Random rnd = new Random(3);
                comm.transfer(rows(m, rnd, new Shape(10, 256), DataType.FLOAT32), 0, Site.DISPATCH, DISPATCH);
                comm.transfer(rows(m, rnd, new Shape(20, 256), DataType.FLOAT32), 0, Site.COMBINE, COMBINE);
            }
            // dispatch fp8-e4m3-g128-sfp32 at H = 256: 2 groups x (128 code bytes + 4-byte scale) = 264 a row;
            // rank 0 sends 3 rows (792), rank 1 one (264). Combine bf16: 512 a row; 4 rows (2048) and 2 (1024).
            // Rank 0: 792 + 2048 = 2840, rank 1: 264 + 1024 = 1288.
            TrafficMeter.Traffic t = meter.snapshot();
            assertEquals(2840, t.maxRankBytes(), impl.toString());
            assertEquals(2840 + 1288, t.totalBytes(), impl.toString());
            // the fp16 yardstick: the busiest rank's rows in fp16, per leg: 3 x 512 + 4 x 512
            assertEquals(3 * 512 + 4 * 512, t.fp16RingMaxRankBytes(), impl.toString());
            assertEquals(0, t.allReduces(), "legs are not all-reduces");
            assertEquals(0, t.compressedAllReduces());
        }
    }

    @Test
    void aLegOutsideTheScopeGoesBf16AndOnlyDispatchRowsCarryTheLoad() {
        // --compress-sites dispatch with both legs asked for in fp8: combine is left in bf16, as the all-reduces
        // outside the scope are left in their 16-bit fallback
        CommSettings settings = legs("fp8-e4m3-g128-sfp32", "fp8-e4m3-g128-sfp32",
                CompressionScope.parse("dispatch", "all"));
        for (CommImpl impl : CommImpl.values()) {
            TrafficMeter meter = new TrafficMeter();
            SiteErrors errors = new SiteErrors();
            FormatCommunicator comm = new FormatCommunicator(settings, impl, meter, errors);
            try (NDManager m = Engines.newRootManager(Device.cpu())) {
                Random rnd = new Random(9);
                NDArray y = rows(m, rnd, new Shape(20, 256), DataType.FLOAT32);
                float[] in = y.toFloatArray();
                float[] out = comm.transfer(y, 0, Site.COMBINE, COMBINE).toFloatArray();
                for (int i = 0; i < in.length; i++) {
                    assertEquals(Float.floatToRawIntBits(Half.rbf16(in[i])), Float.floatToRawIntBits(out[i]),
                            impl + " combine element " + i + " is bf16-rounded");
                }
                // two dispatches of layer 0: the load adds up over the run
                comm.transfer(rows(m, rnd, new Shape(10, 256), DataType.FLOAT32), 0, Site.DISPATCH, DISPATCH);
                comm.transfer(rows(m, rnd, new Shape(10, 256), DataType.FLOAT32), 0, Site.DISPATCH,
                        new LegTraffic(new long[] {2, 2}, new long[] {10, 10}));
            }
            List<SiteErrors.Row> rows = errors.rows();
            assertEquals(2, rows.size(), impl.toString());
            SiteErrors.Row dispatch = rows.stream().filter(r -> r.site() == Site.DISPATCH).findFirst().orElseThrow();
            SiteErrors.Row combine = rows.stream().filter(r -> r.site() == Site.COMBINE).findFirst().orElseThrow();
            assertEquals(Site.DISPATCH, dispatch.site());
            assertEquals("fp8-e4m3-g128-sfp32", dispatch.format());
            assertEquals(2L * 10 * 256, dispatch.elements());
            assertArrayEquals(new long[] {12 + 10, 8 + 10}, dispatch.expertLoad(), "summed over both dispatches");
            assertTrue(dispatch.relativeL2() > 0);
            assertEquals(Site.COMBINE, combine.site());
            assertEquals("bf16", combine.format());
            assertEquals(20L * 256, combine.elements());
            assertArrayEquals(new long[0], combine.expertLoad(), "only dispatch rows carry the load");
            // bytes: combine at 512 a row (bf16), then the dispatches at 264 (fp8): rank 0 sends 4 + 3 + 2 rows
            assertEquals(4 * 512 + 3 * 264 + 2 * 264, meter.snapshot().maxRankBytes(), impl.toString());
        }
    }

    @Test
    void anAllReduceSiteIsNoLeg() {
        FormatCommunicator comm = new FormatCommunicator(CommSettings.of("int8"), new TrafficMeter(), null);
        try (NDManager m = Engines.newRootManager(Device.cpu())) {
            NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
            for (Site site : List.of(Site.ATTENTION, Site.MLP)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> comm.transfer(x, 0, site, DISPATCH));
                assertTrue(e.getMessage().startsWith(site.id() + " is an all-reduce site"), e.getMessage());
            }
        }
    }

    /** A communicator that only all-reduces (the exact reference) hands the legs' rows through untouched. */
    @Test
    void theDefaultTransferPassesRowsThrough() {
        Communicator sumOnly = (partials, layer, site) -> partials.get(0);
        try (NDManager m = Engines.newRootManager(Device.cpu())) {
            NDArray x = m.create(new float[] {1.0001f, 2, 3, 4}, new Shape(2, 2));
            assertSame(x, sumOnly.transfer(x, 0, Site.DISPATCH, DISPATCH));
        }
    }

    /** The engine path leaves exactly one new array, the result, in the caller's manager. */
    @Test
    void engineTransferLeaksNothing() {
        FormatCommunicator comm = new FormatCommunicator(legs("fp8-e4m3-g128-sfp32", "bf16", CompressionScope.ALL),
                CommImpl.ENGINE, new TrafficMeter(), new SiteErrors());
        try (NDManager m = Engines.newRootManager(Device.cpu())) {
            NDArray x = rows(m, new Random(1), new Shape(10, 300), DataType.FLOAT32);
            int before = m.getManagedArrays().size();
            NDArray out = comm.transfer(x, 0, Site.DISPATCH, DISPATCH);
            assertEquals(before + 1, m.getManagedArrays().size());
            assertEquals(m, out.getManager());
        }
    }
}
