package dev.flashcomm.tp.comm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.Half;
import dev.flashcomm.quant.allreduce.CommPath;
import dev.flashcomm.tp.Engines;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FormatCommunicatorTest {

    private static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        return a;
    }

    @Test
    void fp16SumIsRoundedPartialsSummedInFp32ThenRounded() {
        Random rnd = new Random(7);
        float[] p0 = random(rnd, 2 * 3 * 8);
        float[] p1 = random(rnd, 2 * 3 * 8);
        try (NDManager m = Engines.newRootManager(Device.cpu())) {
            Shape shape = new Shape(2, 3, 8);
            NDArray s = new FormatCommunicator(CommSettings.of("fp16"), new TrafficMeter(), null)
                    .allReduce(List.of(m.create(p0, shape), m.create(p1, shape)), 0, Site.MLP);
            float[] want = new float[p0.length];
            for (int i = 0; i < want.length; i++) {
                want[i] = Half.r16(Half.r16(p0[i]) + Half.r16(p1[i]));
            }
            assertArrayEquals(want, s.toFloatArray());
            assertEquals(shape, s.getShape());
        }
    }

    @Test
    void oneRankCommunicatesNothing() {
        try (NDManager m = Engines.newRootManager(Device.cpu())) {
            NDArray p = m.create(new float[] {1.3f, 2.7f}, new Shape(1, 2));
            TrafficMeter meter = new TrafficMeter();
            assertSame(p, new FormatCommunicator(CommSettings.of("int2"), meter, null).allReduce(List.of(p), 0,
                    Site.ATTENTION));
            assertEquals(0, meter.snapshot().allReduces());
        }
    }

    /** Only the host path checks for NaN/Inf; the engine path leaves that to the model (EngineCommunicatorTest). */
    @Test
    void nonFinitePartialNamesLayerAndSite() {
        try (NDManager m = Engines.newRootManager(Device.cpu())) {
            NDArray ok = m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
            NDArray bad = m.create(new float[] {1, 2, Float.NaN, 4}, new Shape(2, 2));
            ArithmeticException e = assertThrows(ArithmeticException.class,
                    () -> new FormatCommunicator(CommSettings.of("int4"), CommImpl.HOST, new TrafficMeter(), null)
                            .allReduce(List.of(ok, bad), 3, Site.MLP));
            assertTrue(e.getMessage().startsWith("layer 3 mlp all-reduce: "), e.getMessage());
            assertTrue(e.getMessage().contains("rank 1"), e.getMessage());
        }
    }

    @Test
    void bytesAreCountedPerAllReduceAndSelectiveScopeFallsBackToFp16() {
        int rows = 4;
        int cols = 256;
        Random rnd = new Random(1);
        CompressionScope mlpOnly = new CompressionScope(EnumSet.of(Site.MLP), null);
        CommSettings settings = new CommSettings(CommFormat.parse("int4-asym-g128"), CommPath.PACKED, mlpOnly);
        TrafficMeter meter = new TrafficMeter();
        SiteErrors errors = new SiteErrors();
        try (NDManager m = Engines.newRootManager(Device.cpu())) {
            FormatCommunicator comm = new FormatCommunicator(settings, meter, errors);
            // the two all-reduce sites; dispatch and combine are expert-parallel legs (ExpertLegTransferTest)
            for (Site site : List.of(Site.ATTENTION, Site.MLP)) {
                List<NDArray> parts = List.of(m.create(random(rnd, rows * cols), new Shape(rows, cols)),
                        m.create(random(rnd, rows * cols), new Shape(rows, cols)));
                comm.allReduce(parts, 0, site);
            }
        }
        // fp16 ring, N=2: each rank sends half the tensor twice: 2 * (1/2) * 4*256*2 bytes = 2048
        // int4-asym-g128, N=2: 8 groups, each 64 code bytes + 2 scale + 2 min = 68; a rank sends 4 groups
        // in the all-to-all and 4 in the all-gather: 8 * 68 = 544
        TrafficMeter.Traffic t = meter.snapshot();
        assertEquals(2, t.allReduces());
        assertEquals(2048 + 544, t.maxRankBytes());
        assertEquals(2 * 2048, t.fp16RingMaxRankBytes());
        List<SiteErrors.Row> rows2 = errors.rows();
        assertEquals("fp16", rows2.get(0).format());
        assertEquals(Site.ATTENTION, rows2.get(0).site());
        assertEquals("int4-asym-g128", rows2.get(1).format());
        assertTrue(rows2.get(1).relativeL2() > rows2.get(0).relativeL2());
    }

    @Test
    void scopeParsingAndDescription() {
        CompressionScope s = CompressionScope.parse("mlp", "0-3,6");
        BitSet want = new BitSet();
        want.set(0, 4);
        want.set(6);
        assertEquals(want, s.layers());
        assertTrue(s.covers(2, Site.MLP));
        assertTrue(!s.covers(2, Site.ATTENTION) && !s.covers(5, Site.MLP));
        assertEquals("mlp@0-3,6", s.describe());
        assertThrows(IllegalArgumentException.class, () -> CompressionScope.parse("attn", "3-1"));
        assertThrows(IllegalArgumentException.class, () -> CompressionScope.parse("kv", "all"));
    }
}
