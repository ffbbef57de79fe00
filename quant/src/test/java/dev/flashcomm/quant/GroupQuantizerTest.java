package dev.flashcomm.quant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GroupQuantizerTest {

    private static float[] qdq(QuantSpec spec, int rows, int cols, float... x) {
        float[] y = x.clone();
        new GroupQuantizer(spec).qdqInPlace(y, rows, cols);
        return y;
    }

    private static QuantSpec asym(int bits, int group) {
        return new QuantSpec(bits, false, group);
    }

    private static QuantSpec sym(int bits, int group) {
        return new QuantSpec(bits, true, group);
    }

    @Test
    void constantGroupGetsScaleOneAndIsReconstructedExactly() {
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f}, qdq(asym(4, 3), 1, 3, 0.5f, 0.5f, 0.5f));
        assertArrayEquals(new float[] {-2.25f, -2.25f, -2.25f, -2.25f}, qdq(asym(2, 4), 1, 4, -2.25f, -2.25f, -2.25f, -2.25f));
        assertArrayEquals(new float[] {0f, 0f, 0f}, qdq(sym(4, 8), 1, 3, 0f, 0f, 0f));

        // on the wire: scale fp16 1.0 = 0x3c00, min fp16 -2.25 = 0xc080 (little-endian), all codes 0
        PackedGroups p = new GroupQuantizer(asym(4, 4)).quantize(new float[] {-2.25f, -2.25f, -2.25f, -2.25f}, 4, 0, 1);
        assertArrayEquals(new byte[] {0x00, 0x3c, (byte) 0x80, (byte) 0xc0, 0, 0}, p.toByteArray());
        PackedGroups zeros = new GroupQuantizer(sym(4, 4)).quantize(new float[4], 4, 0, 1);
        // symmetric code 0 travels as 0 + qmax = 7
        assertArrayEquals(new byte[] {0x00, 0x3c, 0x77, 0x77}, zeros.toByteArray());
    }

    @Test
    void asymmetricMinTravelsAsFp16() {
        // mn = R16(0.1) = 0.0999755859375 (0x2e66); s = R16((1.6 - mn) / 15) = R16(0.1000016) = 0.0999755859375;
        // codes 0 and rint(15.004) = 15; 15 * s + mn = 16 * 0.0999755859375 = 1.599609375
        assertArrayEquals(new float[] {0.0999755859375f, 1.599609375f}, qdq(asym(4, 2), 1, 2, 0.1f, 1.6f));
        PackedGroups p = new GroupQuantizer(asym(4, 2)).quantize(new float[] {0.1f, 1.6f}, 2, 0, 1);
        assertArrayEquals(new byte[] {0x66, 0x2e, 0x66, 0x2e, (byte) 0xf0}, p.toByteArray());
    }

    @Test
    void scalesAndMinsSaturateAtTheFp16Limit() {
        // sym int4: a = R16(1e6 / 7) = 65504, codes clamp at +-7: 7 * 65504 = 458528
        assertArrayEquals(new float[] {458528f, -458528f, 0f}, qdq(sym(4, 3), 1, 3, 1e6f, -1e6f, 0f));
        // sym int8: a = R16(1e8 / 127) = 65504, codes clamp at +-127 (never -128): 127 * 65504 = 8319008
        assertArrayEquals(new float[] {8319008f, -8319008f, 0f}, qdq(sym(8, 3), 1, 3, 1e8f, -1e8f, 5f));
        // asym int4: mn = R16(-1e6) = -65504, s = R16(1065504 / 15) = 65504;
        // codes clamp(-14.3) = 0, 1, clamp(16.3) = 15: values -65504, 0, 14 * 65504 = 917056
        assertArrayEquals(new float[] {-65504f, 0f, 917056f}, qdq(asym(4, 3), 1, 3, -1e6f, 0f, 1e6f));
    }

    @Test
    void roundingTiesGoToEvenCodes() {
        // int2 asym: mn 0, s = R16(3/3) = 1; rint(0.5) = 0, rint(1.5) = 2, rint(2.5) = 2
        assertArrayEquals(new float[] {0f, 0f, 2f, 2f, 3f}, qdq(asym(2, 5), 1, 5, 0f, 0.5f, 1.5f, 2.5f, 3f));
        // int4 asym: s = 1; rint(3.5) = 4
        assertArrayEquals(new float[] {0f, 0f, 2f, 2f, 4f, 15f}, qdq(asym(4, 6), 1, 6, 0f, 0.5f, 1.5f, 2.5f, 3.5f, 15f));
        // int4 sym: a = R16(14/7) = 2; x/a = 0.5, -0.5, 1.5, -1.5 -> 0, 0, 2, -2
        assertArrayEquals(new float[] {-14f, 14f, 0f, 0f, 4f, -4f}, qdq(sym(4, 6), 1, 6, -14f, 14f, 1f, -1f, 3f, -3f));
    }

    @Test
    void symmetricInt4UsesMinus7To7AndAsymmetricUses0To15() {
        float[] values = {-7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7};
        assertArrayEquals(values, qdq(sym(4, 15), 1, 15, values), "a = 1: every level of -7..7 is exact");
        float[] levels = new float[16];
        for (int i = 0; i < 16; i++) {
            levels[i] = i;
        }
        assertArrayEquals(levels, qdq(asym(4, 16), 1, 16, levels), "s = 1: every level of 0..15 is exact");

        SplittableRandom random = new SplittableRandom(3);
        float[] x = new float[8 * 64];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        assertCodeRange(sym(4, 64), x, 0, 14);
        assertCodeRange(sym(8, 64), x, 0, 254);
        assertCodeRange(asym(4, 64), x, 0, 15);
        assertCodeRange(sym(2, 64), x, 0, 2);
    }

    /** Every group's stored codes lie in [lo, hi] and reach both ends (a group's extremes map to the extreme codes). */
    private static void assertCodeRange(QuantSpec spec, float[] x, int lo, int hi) {
        GroupQuantizer q = new GroupQuantizer(spec);
        int groups = x.length / 64;
        byte[] bytes = q.quantize(x, 64, 0, groups).toByteArray();
        int groupBytes = spec.headerBytes() + BitPacker.packedBytes(64, spec.bits());
        for (int g = 0; g < groups; g++) {
            int[] codes = new int[64];
            BitPacker.unpack(bytes, g * groupBytes + spec.headerBytes(), 64, spec.bits(), codes, 0);
            int min = Integer.MAX_VALUE;
            int max = Integer.MIN_VALUE;
            for (int c : codes) {
                min = Math.min(min, c);
                max = Math.max(max, c);
            }
            assertTrue(min >= lo && max <= hi, spec + " group " + g + " codes " + min + ".." + max);
            assertTrue(spec.symmetric() ? (min == lo || max == hi) : (min == lo && max == hi), spec + " group " + g + " uses the full range");
        }
    }

    @Test
    void lastGroupOfARowIsShorterAndGroupsNeverCrossRows() {
        // 7 cols, g4: groups [0..4) and [4..7) per row. int2 asym:
        // [0,1,2,3]: mn 0, s 1 -> exact; [10,10.5,13]: mn 10, s 1, rint(0.5) = 0 -> [10,10,13]
        // row 1 [1,1,1,1] constant -> exact; [-6,-3,0]: mn -6, s 2, codes 0, rint(1.5) = 2, 3 -> [-6,-2,0]
        float[] x = {0, 1, 2, 3, 10, 10.5f, 13, 1, 1, 1, 1, -6, -3, 0};
        float[] expected = {0, 1, 2, 3, 10, 10, 13, 1, 1, 1, 1, -6, -2, 0};
        assertArrayEquals(expected, qdq(asym(2, 4), 2, 7, x));
        assertPackedMatchesFake(asym(2, 4), 2, 7, x);
    }

    @ParameterizedTest(name = "g{0}")
    @ValueSource(ints = {5, 8, 1000})
    void groupAtLeastTheRowIsOneGroupPerRow(int group) {
        // int2 asym, row 0: mn 0, s = R16(9/3) = 3, codes 0, rint(1/3) = 0, rint(2/3) = 1, 1, 3
        // row 1: s = R16(0.5/3) = 0.1666259765625, code rint(3.0007) = 3 -> 3 * s = 0.4998779296875
        float[] x = {0, 1, 2, 3, 9, 0, 0, 0, 0, 0.5f};
        float[] expected = {0, 0, 3, 3, 9, 0, 0, 0, 0, 0.4998779296875f};
        assertArrayEquals(expected, qdq(asym(2, group), 2, 5, x));
        assertPackedMatchesFake(asym(2, group), 2, 5, x);
    }

    @Test
    void groupsOfOneElementAreExactForFp16Values() {
        // each element is its own min: when it is an fp16 value, max - mn = 0, so s = 1 and the code is 0
        SplittableRandom random = new SplittableRandom(5);
        float[] x = new float[300];
        for (int i = 0; i < x.length; i++) {
            x[i] = Half.r16((float) (random.nextGaussian() * Math.pow(10, random.nextInt(-6, 5))));
        }
        assertArrayEquals(x, qdq(asym(3, 1), 3, 100, x));
        // 0.1 is not: mn = R16(0.1) = 0.0999755859375, 0.1 - mn = 2.44156e-5, s = R16(2.44156e-5 / 7) =
        // R16(58.52 * 2^-24) = 59 * 2^-24 (subnormal), code rint(6.943) = 7, so x' = mn + 413 * 2^-24
        assertArrayEquals(new float[] {0.0999755859375f + 413 * 0x1p-24f}, qdq(asym(3, 1), 1, 1, 0.1f));
    }

    @Test
    void qdqIntoAndAddIntoTouchOnlyTheirGroupsAndNotTheSource() {
        QuantSpec spec = asym(2, 4);
        float[] src = {0, 1, 2, 3, 10, 10.5f, 13, 1, 1, 1, 1, -6, -3, 0};
        float[] srcCopy = src.clone();
        float[] dst = new float[14];
        java.util.Arrays.fill(dst, 100f);
        // groups 1 and 2: [10,10.5,13] of row 0 and [1,1,1,1] of row 1
        new GroupQuantizer(spec).qdqInto(src, dst, 7, 1, 2);
        assertArrayEquals(new float[] {100, 100, 100, 100, 10, 10, 13, 1, 1, 1, 1, 100, 100, 100}, dst);
        new GroupQuantizer(spec).qdqAddInto(src, dst, 7, 1, 2);
        assertArrayEquals(new float[] {100, 100, 100, 100, 20, 20, 26, 2, 2, 2, 2, 100, 100, 100}, dst);
        assertArrayEquals(srcCopy, src);
    }

    @Test
    void packedBytesDecodeToTheFakeQuantValuesBitForBit() {
        SplittableRandom random = new SplittableRandom(11);
        for (int bits = 2; bits <= 8; bits++) {
            for (boolean symmetric : new boolean[] {false, true}) {
                for (int group : new int[] {1, 3, 7, 32, 128, 1000}) {
                    for (int[] shape : new int[][] {{1, 1}, {3, 5}, {4, 33}, {2, 130}}) {
                        float[] x = randomMatrix(random, shape[0] * shape[1]);
                        assertPackedMatchesFake(new QuantSpec(bits, symmetric, group), shape[0], shape[1], x);
                    }
                }
            }
        }
    }

    @Test
    void slicesAndGroupRangesDecodeLikeTheWhole() {
        QuantSpec spec = asym(3, 7);
        GroupQuantizer q = new GroupQuantizer(spec);
        float[] x = randomMatrix(new SplittableRandom(2), 4 * 10);
        PackedGroups all = q.quantize(x, 10, 0, 8);
        assertEquals(spec.payloadBytes(4, 10), all.byteSize());
        float[] whole = new float[x.length];
        q.dequantize(all, whole);

        float[] pieces = new float[x.length];
        q.dequantize(all.slice(0, 3), pieces);
        q.dequantize(all.slice(3, 0), pieces);
        q.dequantize(q.quantize(x, 10, 3, 5), pieces);
        assertBitsEqual(whole, pieces);

        PackedGroups middle = all.slice(2, 3);
        assertEquals(new GroupLayout(spec, 10).bytesOf(2, 3), middle.byteSize());
        assertArrayEquals(q.quantize(x, 10, 2, 3).toByteArray(), middle.toByteArray());
        PackedGroups copy = PackedGroups.of(spec, 10, 2, 3, middle.toByteArray());
        float[] a = new float[x.length];
        q.dequantize(copy, a);
        float[] b = new float[x.length];
        q.dequantize(middle, b);
        assertBitsEqual(a, b);

        // a reusable send buffer: the same bytes at an offset, and a receive copies them back out
        byte[] send = new byte[all.byteSize() + 3];
        assertEquals(all.byteSize(), q.quantizeInto(x, 10, 0, 8, send, 3));
        assertArrayEquals(all.toByteArray(), java.util.Arrays.copyOfRange(send, 3, send.length));
        int offset = 3 + (int) new GroupLayout(spec, 10).byteOffset(2);
        assertArrayEquals(middle.toByteArray(), PackedGroups.copyOf(spec, 10, 2, 3, send, offset).toByteArray());
        assertThrows(IndexOutOfBoundsException.class, () -> q.quantizeInto(x, 10, 0, 8, new byte[all.byteSize()], 1));
        assertThrows(IndexOutOfBoundsException.class, () -> PackedGroups.copyOf(spec, 10, 2, 3, send, send.length - 2));

        assertThrows(IllegalArgumentException.class, () -> all.slice(6, 3));
        assertThrows(IllegalArgumentException.class, () -> middle.slice(1, 2));
        assertThrows(IllegalArgumentException.class, () -> PackedGroups.of(spec, 10, 2, 3, new byte[5]));
        assertThrows(IllegalArgumentException.class, () -> q.quantize(x, 10, 5, 4));
        assertThrows(IllegalArgumentException.class, () -> q.quantize(x, 7, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new GroupQuantizer(asym(4, 7)).dequantize(all, a));
    }

    @Test
    void dequantizeAddAndSumFollowRankOrder() {
        QuantSpec spec = sym(4, 16);
        GroupQuantizer q = new GroupQuantizer(spec);
        SplittableRandom random = new SplittableRandom(9);
        float[][] parts = {randomMatrix(random, 64), randomMatrix(random, 64), randomMatrix(random, 64)};
        float[] expected = new float[64];
        q.qdqInto(parts[0], expected, 32, 0, 4);
        q.qdqAddInto(parts[1], expected, 32, 0, 4);
        q.qdqAddInto(parts[2], expected, 32, 0, 4);

        float[] viaAdd = new float[64];
        q.dequantize(q.quantize(parts[0], 32, 0, 4), viaAdd);
        q.dequantizeAdd(q.quantize(parts[1], 32, 0, 4), viaAdd);
        q.dequantizeAdd(q.quantize(parts[2], 32, 0, 4), viaAdd);
        assertBitsEqual(expected, viaAdd);

        float[] viaSum = new float[64];
        q.dequantizeSum(List.of(q.quantize(parts[0], 32, 0, 4), q.quantize(parts[1], 32, 0, 4), q.quantize(parts[2], 32, 0, 4)), viaSum);
        assertBitsEqual(expected, viaSum);
        assertThrows(IllegalArgumentException.class,
                () -> q.dequantizeSum(List.of(q.quantize(parts[0], 32, 0, 4), q.quantize(parts[1], 32, 0, 3)), viaSum));
    }

    /** Gaussian values at mixed scales, with constant rows, zeros, and values past the fp16 range. */
    static float[] randomMatrix(SplittableRandom random, int n) {
        float[] x = new float[n];
        double scale = Math.pow(10, random.nextInt(-3, 4));
        for (int i = 0; i < n; i++) {
            int kind = random.nextInt(20);
            x[i] = switch (kind) {
                case 0 -> 0f;
                case 1 -> (float) (random.nextGaussian() * 1e5);
                case 2 -> 0.5f;
                default -> (float) (random.nextGaussian() * scale);
            };
        }
        return x;
    }

    private static void assertPackedMatchesFake(QuantSpec spec, int rows, int cols, float[] x) {
        GroupQuantizer q = new GroupQuantizer(spec);
        float[] fake = x.clone();
        q.qdqInPlace(fake, rows, cols);
        int groups = Math.toIntExact(new GroupLayout(spec, cols).groupCount(rows));
        PackedGroups p = q.quantize(x, cols, 0, groups);
        assertEquals(spec.payloadBytes(rows, cols), p.byteSize(), spec + " payload");
        float[] packed = new float[x.length];
        q.dequantize(p, packed);
        assertBitsEqual(fake, packed);
    }

    static void assertBitsEqual(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError("element " + i + ": expected " + expected[i] + " but was " + actual[i]);
            }
        }
    }
}
