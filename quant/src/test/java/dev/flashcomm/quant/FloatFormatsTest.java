package dev.flashcomm.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The float elements, scale dtypes and spike reserving, against values worked out by hand. */
class FloatFormatsTest {

    @Test
    void everyE4m3CodeRoundTrips() {
        int nan = 0;
        for (int c = 0; c < 256; c++) {
            int code = c;
            float v = ElementType.FP8_E4M3.decode(code);
            assertEquals(code, ElementType.FP8_E4M3.encode(v), () -> "code " + code + " decodes to " + v);
            if (Float.isNaN(v)) {
                nan++;
            } else {
                assertEquals(Float.floatToRawIntBits(v), Float.floatToRawIntBits(ElementType.FP8_E4M3.round(v)),
                        () -> v + " is on the e4m3 grid");
            }
        }
        assertEquals(2, nan, "e4m3fn has NaN only at S.1111.111");
        assertEquals(448f, ElementType.FP8_E4M3.decode(0x7e));
        assertEquals(0x1p-9f, ElementType.FP8_E4M3.decode(0x01));
        assertEquals(0x1p-6f, ElementType.FP8_E4M3.decode(0x08));
        assertEquals(-0f, ElementType.FP8_E4M3.decode(0x80));
        assertEquals(0x80, ElementType.FP8_E4M3.encode(-0f));
    }

    @Test
    void e5m2AndE2m1CodesRoundTrip() {
        for (int code = 0; code < 256; code++) {
            float v = ElementType.FP8_E5M2.decode(code);
            assertEquals(Float.isNaN(v) ? (code & 0x80) | 0x7f : code, ElementType.FP8_E5M2.encode(v));
        }
        assertEquals(57344f, ElementType.FP8_E5M2.decode(0x7b));
        assertEquals(Float.POSITIVE_INFINITY, ElementType.FP8_E5M2.decode(0x7c));
        assertEquals(0x1p-16f, ElementType.FP8_E5M2.decode(0x01));
        float[] grid = {0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f};
        for (int code = 0; code < 16; code++) {
            float want = code < 8 ? grid[code] : -grid[code - 8];
            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(ElementType.FP4_E2M1.decode(code)), "fp4 code " + code);
            assertEquals(code, ElementType.FP4_E2M1.encode(want));
        }
    }

    @ParameterizedTest(name = "{0}({1}) = {2}")
    @CsvSource({
        // saturation at fmax, never Inf
        "FP8_E4M3, 500, 448", "FP8_E4M3, -1e30, -448", "FP8_E4M3, 464, 448", "FP8_E5M2, 60000, 57344",
        "FP8_E5M2, 1e38, 57344", "FP4_E2M1, 7, 6", "FP4_E2M1, -100, -6",
        // ties to even: [1, 2) has steps of 1/8 in e4m3; 1.0625 sits between 1 (even) and 1.125
        "FP8_E4M3, 1.0625, 1", "FP8_E4M3, 1.1875, 1.25", "FP8_E4M3, 240, 240", "FP8_E4M3, 248, 256",
        "FP8_E5M2, 1.125, 1", "FP8_E5M2, 1.375, 1.5",
        "FP4_E2M1, 2.5, 2", "FP4_E2M1, 5, 4", "FP4_E2M1, 0.25, 0", "FP4_E2M1, 0.75, 1", "FP4_E2M1, 1.25, 1",
        "FP4_E2M1, 1.76, 2", "FP4_E2M1, 3.5, 4",
        // subnormals: e4m3's grid below 2^-6 is 2^-9; 2^-10 ties to 0, 3 * 2^-10 to 2^-8
        "FP8_E4M3, 0.0009765625, 0", "FP8_E4M3, 0.0029296875, 0.00390625", "FP8_E4M3, 0.001953125, 0.001953125",
        "FP8_E5M2, 0.0000152587890625, 0.0000152587890625", "FP8_E5M2, 0.00000762939453125, 0"})
    void roundsToNearestEvenAndSaturates(ElementType element, float x, float want) {
        assertEquals(want, element.round(x));
    }

    @Test
    void negativeValuesRoundingToZeroKeepTheSign() {
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(ElementType.FP8_E4M3.round(-1e-4f)));
        assertEquals(0x80, ElementType.FP8_E4M3.encode(ElementType.FP8_E4M3.round(-1e-4f)));
        assertEquals(8, ElementType.FP4_E2M1.encode(ElementType.FP4_E2M1.round(-0.2f)));
    }

    @Test
    void e8m0ScalesArePowersOfTwoAtOrAbove() {
        assertEquals(1f, ScaleType.E8M0.round(1f));
        assertEquals(1f, ScaleType.E8M0.round(0.8333f));
        assertEquals(0x1p-7f, ScaleType.E8M0.round(3f / 448f));
        assertEquals(0x1p-127f, ScaleType.E8M0.round(1e-45f), "at least e8m0's smallest, 2^-127");
        assertEquals(1f, ScaleType.E8M0.round(0f), "a zero scale becomes 1");
        assertEquals(127, ScaleType.e8m0Code(1f));
        assertEquals(0, ScaleType.e8m0Code(0x1p-127f));
        assertEquals(254, ScaleType.e8m0Code(0x1p127f));
        assertEquals(0x1p-120f, ScaleType.e8m0Value(7));
        assertThrows(IllegalArgumentException.class, () -> ScaleType.e8m0Value(255));
        assertEquals(65504f, ScaleType.FP16.round(1e6f));
        assertEquals(1f, ScaleType.FP16.round(1e-9f), "fp16 underflow to 0 becomes 1");
        assertEquals(1e-9f, ScaleType.FP32.round(1e-9f));
    }

    private static float[] qdq(String format, float... x) {
        float[] v = x.clone();
        new GroupQuantizer(CommFormat.parse(format).reduceScatter()).qdqInPlace(v, 1, v.length);
        return v;
    }

    private static byte[] packed(String format, float... x) {
        return new GroupQuantizer(CommFormat.parse(format).reduceScatter()).quantize(x, x.length, 0, 1).toByteArray();
    }

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    @Test
    void fp8GroupWithAnFp32Scale() {
        // amax 7: s = 7/448 = 2^-6; x/s = 224, -448, 6.4 (-> 6.5, steps of 0.5 in [4, 8)), 0
        assertArrayEquals(new float[] {3.5f, -7f, 0.1015625f, 0f}, qdq("fp8-e4m3-g4-sfp32", 3.5f, -7f, 0.1f, 0f));
        // scale 2^-6 little-endian, then codes 224 = 1.75*2^7 (0x76), -448 (0xfe), 6.5 = 1.625*2^2 (0x4d), 0
        assertArrayEquals(bytes(0x00, 0x00, 0x80, 0x3c, 0x76, 0xfe, 0x4d, 0x00), packed("fp8-e4m3-g4-sfp32", 3.5f, -7f, 0.1f, 0f));
        assertEquals(8, QuantSpec.ofFloat(ElementType.FP8_E4M3, 4, ScaleType.FP32, false).payloadBytes(1, 4));
    }

    @Test
    void fp4GroupWithAnE8m0Scale() {
        // amax 6: s = 1 (e8m0 code 127); 6 -> 0b0111, -3 -> 0b1101, 0.5 -> 0b0001, 1 -> 0b0010, nibbles LSB-first
        assertArrayEquals(new float[] {6f, -3f, 0.5f, 1f}, qdq("fp4-e2m1-g4-se8m0", 6f, -3f, 0.5f, 1f));
        assertArrayEquals(bytes(0x7f, 0xd7, 0x21), packed("fp4-e2m1-g4-se8m0", 6f, -3f, 0.5f, 1f));
        // amax 5: 5/6 rounds up to s = 1, and 5 is a tie between 4 and 6 (even: 4)
        assertArrayEquals(new float[] {4f, 1f}, qdq("fp4-e2m1-g2-se8m0", 5f, 1f));
        // e8m0 keeps powers of two exact in e4m3: 3/448 -> 2^-7, x/s = 384 and 128
        assertArrayEquals(new float[] {3f, 1f}, qdq("fp8-e4m3-g2-se8m0", 3f, 1f));
    }

    @Test
    void fp16ScaleIsRoundedBeforeUse() {
        // amax 1: 1/448 in fp16 is 0x1c92 = 0.002231597900390625; x/s = 448.1 -> clamp 448
        float s = Half.r16(1f / 448f);
        float[] got = qdq("fp8-e4m3-g2", 1f, -0.5f);
        assertEquals(448f * s, got[0]);
        assertEquals(ElementType.FP8_E4M3.round(-0.5f / s) * s, got[1]);
        assertEquals(2 + 2, QuantSpec.ofFloat(ElementType.FP8_E4M3, 2, ScaleType.FP16, false).payloadBytes(1, 2));
    }

    @Test
    void spikesKeepTheMinAndMaxAtTheirPositions() {
        // max 100 at 4, min -50 at 5: the rest [0, 1, 2, 3] (spikes seen as x[0] = 0) gives mn 0, s = 1
        assertArrayEquals(new float[] {0f, 1f, 2f, 3f, 100f, -50f}, qdq("int2-asym-g6-spike", 0f, 1f, 2f, 3f, 100f, -50f));
        // scale 1 (0x3c00), min 0, max 100 (0x5640), min -50 (0xd240), positions 4 and 5, codes 0,1,2,3,3,0
        assertArrayEquals(bytes(0x00, 0x3c, 0x00, 0x00, 0x40, 0x56, 0x40, 0xd2, 4, 5, 0xe4, 0x03),
                packed("int2-asym-g6-spike", 0f, 1f, 2f, 3f, 100f, -50f));
        // header 4 + 2 * (2 + 1) = 10, codes 12 bits = 2 bytes; without spikes 4 + 2
        assertEquals(12, CommFormat.parse("int2-asym-g6-spike").reduceScatter().payloadBytes(1, 6));
        assertEquals(6, CommFormat.parse("int2-asym-g6").reduceScatter().payloadBytes(1, 6));
        assertEquals(2 + 2 * (2 + 2), CommFormat.parse("int8-sym-g300-spike").reduceScatter().headerBytes(),
                "groups over 256 use 2-byte positions");
    }

    @Test
    void spikesTakeTheFirstOccurrenceAndFp16Values() {
        // first max at 0, first min at 2; the statistics replace them with x[1] = 5: rest [5, 5, 5, 1, 3] -> mn 1, s = 4/3
        float[] got = qdq("int2-asym-g5-spike", 5f, 5f, 1f, 1f, 3f);
        float s = Half.r16(4f / 3f);
        assertEquals(5f, got[0]);
        assertEquals(1f, got[2]);
        assertEquals(3f * s + 1f, got[1], "the second 5 is quantized");
        assertEquals(0f * s + 1f, got[3], "the second 1 is quantized");
        assertEquals(Half.r16(0.1f), qdq("int8-sym-g2-spike", 0.1f, 3f)[0], "spike values travel as fp16");
        assertArrayEquals(new float[] {Half.r16(0.3f)}, qdq("fp4-e2m1-g1-spike", 0.3f), "one element: all spikes");
    }

    @Test
    void packedEqualsFakeForEveryNewFormat() {
        SplittableRandom rnd = new SplittableRandom(11);
        List<String> formats = new ArrayList<>();
        for (String e : new String[] {"fp8-e4m3", "fp8-e5m2", "fp4-e2m1"}) {
            for (String s : new String[] {"", "-sfp32", "-se8m0"}) {
                for (String g : new String[] {"-g1", "-g7", "-g32", "-g496"}) {
                    formats.add(e + g + s);
                    formats.add(e + g + s + "-spike");
                }
            }
        }
        for (String i : new String[] {"int8-sym", "int4-asym", "int2-asym", "int6:6-sym", "int3-sym"}) {
            for (String g : new String[] {"-g1", "-g2", "-g3", "-g32", "-g300"}) {
                formats.add(i + g + "-spike");
            }
        }
        for (String f : formats) {
            QuantSpec spec = CommFormat.parse(f).reduceScatter();
            GroupQuantizer q = new GroupQuantizer(spec);
            int rows = 3;
            int cols = 601;
            float[] x = new float[rows * cols];
            for (int i = 0; i < x.length; i++) {
                double scale = switch (i % 5) { case 0 -> 1e-6; case 1 -> 3e4; case 2 -> 0.0; default -> 1.0; };
                x[i] = (float) (rnd.nextGaussian() * scale);
            }
            x[7] = -0f;
            float[] fake = x.clone();
            q.qdqInPlace(fake, rows, cols);
            int groups = Math.toIntExact(new GroupLayout(spec, cols).groupCount(rows));
            PackedGroups p = q.quantize(x, cols, 0, groups);
            assertEquals(spec.payloadBytes(rows, cols), p.byteSize(), f);
            float[] decoded = new float[x.length];
            q.dequantize(p, decoded);
            for (int i = 0; i < x.length; i++) {
                int want = Float.floatToRawIntBits(fake[i]);
                int got = Float.floatToRawIntBits(decoded[i]);
                int at = i;
                assertEquals(want, got, () -> f + " element " + at + ": fake " + fake[at] + ", packed " + decoded[at]);
            }
        }
    }

    @Test
    void r16InfOverflowsWhereNearestEvenPasses65504() {
        assertEquals(65504f, Half.r16Inf(65504f));
        assertEquals(65504f, Half.r16Inf(65519.99f));
        assertEquals(Float.POSITIVE_INFINITY, Half.r16Inf(65520f));
        assertEquals(Float.NEGATIVE_INFINITY, Half.r16Inf(-70000f));
        assertEquals(Float.POSITIVE_INFINITY, Half.r16Inf(Float.POSITIVE_INFINITY));
        assertTrue(Float.isNaN(Half.r16Inf(Float.NaN)));
        assertEquals(Half.r16(1.0004883f), Half.r16Inf(1.0004883f));
        assertEquals(65504f, Half.r16(65520f), "R16 saturates instead");
    }

    @Test
    void namesAreCanonical() {
        assertEquals("fp8-e4m3-g128", CommFormat.parse("FP8-E4M3").name());
        assertEquals("fp8-e4m3-g128", CommFormat.parse("fp8-e4m3-g128-sfp16").name());
        assertEquals("fp8-e4m3-g256-sfp32", CommFormat.parse("fp8-e4m3-g256-sfp32").name());
        assertEquals("fp4-e2m1-g32-se8m0", CommFormat.parse("fp4-e2m1-g32-se8m0").name());
        assertEquals("fp8-e5m2-g16-spike", CommFormat.parse("fp8-e5m2-g16-spike").name());
        assertEquals("int2-asym-g128-spike", CommFormat.parse("int2-spike").name());
        assertEquals("int6:6-sym-g32", CommFormat.parse("int6:6-sym-g32").name());
        assertEquals("int6-sym-g32", CommFormat.parse("int4:8-sym-g32").name(), "the paper's pair keeps its name");
        assertEquals(6, CommFormat.parse("int6:6-sym-g32").reduceScatter().bits());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CommFormat.parse("fp8-e4m3-sbf16")).getMessage()
                .contains("scale dtype 'bf16'"));
        assertThrows(IllegalArgumentException.class, () -> CommFormat.parse("int9:4"));
        assertThrows(IllegalArgumentException.class, () -> CommFormat.parse("fp8-e4m3-g0"));
        assertThrows(IllegalArgumentException.class, () -> CommFormat.parse("int4-sfp32"));
    }
}
