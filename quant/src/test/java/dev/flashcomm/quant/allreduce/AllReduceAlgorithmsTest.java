package dev.flashcomm.quant.allreduce;

import dev.flashcomm.quant.Accumulation;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.GroupQuantizer;
import dev.flashcomm.quant.Half;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AllReduceAlgorithmsTest {

    private static float[] reduce(String format, CommPath path, int rows, int cols, float[]... partials) {
        return AllReduceAlgorithms.create(CommFormat.parse(format), path).reduce(partials, rows, cols);
    }

    @Test
    void exactWithOneRankReturnsACopyOfItsPartial() {
        float[] p0 = {1.5f, -0f, 3e-30f, 7f};
        float[] s = reduce("exact", CommPath.FAKE, 2, 2, p0);
        assertNotSame(p0, s);
        assertBitsEqual(p0, s);
    }

    @Test
    void exactSumsInRankOrder() {
        // fp32: (1e8 + 1) rounds back to 1e8, so ((P0 + P1) + P2) = 0, not 1
        float[] s = reduce("exact", CommPath.PACKED, 1, 2, new float[] {1e8f, 2f}, new float[] {1f, 3f}, new float[] {-1e8f, 4f});
        assertArrayEquals(new float[] {0f, 9f}, s);
    }

    @Test
    void fp16RoundsEachPartialAndTheSum() {
        // R16(0.1) = 1638 * 2^-14, R16(0.2) = 3276 * 2^-14; the sum 4914 * 2^-14 = 1228.5 * 2^-12 is a tie -> 1228 * 2^-12;
        // 70000 saturates to 65504 in each partial and in the sum
        float[] s = reduce("fp16", CommPath.FAKE, 1, 2, new float[] {0.1f, 70000f}, new float[] {0.2f, 70000f});
        assertArrayEquals(new float[] {0.2998046875f, 65504f}, s);

        SplittableRandom random = new SplittableRandom(4);
        float[][] p = randomPartials(random, 3, 4, 50);
        float[] expected = new float[200];
        for (int i = 0; i < 200; i++) {
            float acc = Half.r16(p[0][i]);
            acc += Half.r16(p[1][i]);
            acc += Half.r16(p[2][i]);
            expected[i] = Half.r16(acc);
        }
        assertBitsEqual(expected, reduce("fp16", CommPath.FAKE, 4, 50, p));
        assertBitsEqual(expected, reduce("fp16", CommPath.PACKED, 4, 50, p));
    }

    @Test
    void bf16RoundsEachPartialAndTheSum() {
        // Rbf16(1 + 2^-8) = 1 (tie to even), Rbf16(2^-8) = 2^-8; 1 + 2^-8 is again a tie -> 1
        assertArrayEquals(new float[] {1f}, reduce("bf16", CommPath.FAKE, 1, 1, new float[] {1f + 0x1p-8f}, new float[] {0x1p-8f}));
        float[][] p = randomPartials(new SplittableRandom(8), 2, 3, 7);
        float[] expected = new float[21];
        for (int i = 0; i < 21; i++) {
            expected[i] = Half.rbf16(Half.rbf16(p[0][i]) + Half.rbf16(p[1][i]));
        }
        assertBitsEqual(expected, reduce("bf16", CommPath.FAKE, 3, 7, p));
    }

    @Test
    void flashInt4HandComputed() {
        // P0 = [0,15,30,45]: s = R16(45/15) = 3, exact. P1 = [0,0,0,1]: s = R16(1/15) = 1092 * 2^-14 = 0.066650390625,
        // codes 0,0,0,rint(15.004) = 15 -> [0,0,0,0.999755859375]. Sum [0,15,30,45.999755859375]:
        // s = R16(3.06665) = 1570 * 2^-9 = 3.06640625, codes 0, rint(4.89) = 5, rint(9.78) = 10, rint(15.0012) = 15
        float[] expected = {0f, 15.33203125f, 30.6640625f, 45.99609375f};
        float[] p0 = {0, 15, 30, 45};
        float[] p1 = {0, 0, 0, 1};
        for (CommPath path : new CommPath[] {CommPath.FAKE, CommPath.PACKED}) {
            assertArrayEquals(expected, reduce("int4-asym-g4", path, 1, 4, p0, p1), path.name());
        }
    }

    @Test
    void flashFakeIsTheDocFormula() {
        SplittableRandom random = new SplittableRandom(12);
        float[][] p = randomPartials(random, 3, 5, 40);
        CommFormat f = CommFormat.parse("int6-sym-g16");
        float[] expected = new float[200];
        for (float[] partial : p) {
            float[] q = partial.clone();
            new GroupQuantizer(f.reduceScatter()).qdqInPlace(q, 5, 40);
            for (int i = 0; i < expected.length; i++) {
                expected[i] += q[i];
            }
        }
        new GroupQuantizer(f.allGather()).qdqInPlace(expected, 5, 40);
        assertBitsEqual(expected, AllReduceAlgorithms.create(f, CommPath.FAKE).reduce(p, 5, 40));
    }

    @Test
    void sixteenBitAccumulationRoundsAfterEveryAdditionInRankOrder() {
        AllReduceAlgorithm fp32 = AllReduceAlgorithms.create(CommFormat.FP16, CommPath.FAKE, Accumulation.FP32);
        AllReduceAlgorithm fp16 = AllReduceAlgorithms.create(CommFormat.FP16, CommPath.FAKE, Accumulation.FP16);
        // fp16's step at 2048 is 2: 2048 + 1 is a tie that goes back to 2048 (even), twice; fp32 keeps 2050
        float[][] bigFirst = {{2048f}, {1f}, {1f}};
        assertArrayEquals(new float[] {2050f}, fp32.reduce(bigFirst, 1, 1));
        assertArrayEquals(new float[] {2048f}, fp16.reduce(bigFirst, 1, 1));
        // the same numbers in another rank order: 1 + 1 = 2 first, then 2050 is exact
        assertArrayEquals(new float[] {2050f}, fp16.reduce(new float[][] {{1f}, {1f}, {2048f}}, 1, 1));
        // bf16's step at 256 is 2
        AllReduceAlgorithm bf16 = AllReduceAlgorithms.create(CommFormat.BF16, CommPath.FAKE, Accumulation.BF16);
        assertArrayEquals(new float[] {256f}, bf16.reduce(new float[][] {{256f}, {1f}, {1f}}, 1, 1));
        assertArrayEquals(new float[] {258f}, reduce("bf16", CommPath.FAKE, 1, 1, new float[] {256f}, new float[] {1f}, new float[] {1f}));
        // fp16 accumulation saturates like R16
        assertArrayEquals(new float[] {65504f}, fp16.reduce(new float[][] {{60000f}, {60000f}}, 1, 1));
    }

    @Test
    void flashAccumulationIsTheRankOrderRoundedSumOfTheDequantizedPartials() {
        SplittableRandom random = new SplittableRandom(8);
        for (String name : new String[] {"int8-sym-g32", "fp8-e4m3-g16-sfp32", "fp4-e2m1-g8-se8m0", "int2-asym-g8-spike"}) {
            CommFormat f = CommFormat.parse(name);
            for (Accumulation acc : Accumulation.values()) {
                float[][] p = randomPartials(random, 4, 3, 40);
                GroupQuantizer rs = new GroupQuantizer(f.reduceScatter());
                float[] expected = new float[120];
                for (int r = 0; r < 4; r++) {
                    float[] q = p[r].clone();
                    rs.qdqInPlace(q, 3, 40);
                    for (int i = 0; i < 120; i++) {
                        expected[i] = r == 0 ? acc.round(q[i]) : acc.round(expected[i] + q[i]);
                    }
                }
                new GroupQuantizer(f.allGather()).qdqInPlace(expected, 3, 40);
                for (CommPath path : new CommPath[] {CommPath.FAKE, CommPath.PACKED}) {
                    assertBitsEqual(expected, AllReduceAlgorithms.create(f, path, acc).reduce(p, 3, 40),
                            name + " " + acc + " " + path + ": ");
                }
            }
        }
    }

    static Stream<Arguments> newFormatsAndAccumulations() {
        List<Arguments> out = new ArrayList<>();
        for (String f : new String[] {"fp8-e4m3-g7", "fp8-e5m2-g32-sfp32", "fp4-e2m1-g32-se8m0", "fp8-e4m3-g496-sfp32",
            "int2-asym-g7-spike", "int6:6-sym-g32", "fp4-e2m1-g1-spike"}) {
            for (Accumulation acc : Accumulation.values()) {
                out.add(Arguments.of(CommFormat.parse(f), acc));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} acc {1}")
    @MethodSource("newFormatsAndAccumulations")
    void packedIsBitIdenticalToFakeForNewFormatsAndAccumulations(CommFormat format, Accumulation acc) {
        AllReduceAlgorithm fake = AllReduceAlgorithms.create(format, CommPath.FAKE, acc);
        AllReduceAlgorithm packed = AllReduceAlgorithms.create(format, CommPath.PACKED, acc);
        SplittableRandom random = new SplittableRandom(format.name().hashCode() + acc.ordinal());
        int[][] shapes = {{1, 5}, {2, 33}, {3, 130}, {2, 600}};
        for (int ranks : new int[] {1, 2, 3, 8}) {
            for (int[] shape : shapes) {
                float[][] p = randomPartials(random, ranks, shape[0], shape[1]);
                assertBitsEqual(fake.reduce(p, shape[0], shape[1]), packed.reduce(p, shape[0], shape[1]),
                        format + " " + acc + " N=" + ranks + " [" + shape[0] + ", " + shape[1] + "]: ");
            }
        }
    }

    static Stream<Arguments> flashFormats() {
        List<Arguments> formats = new ArrayList<>();
        for (int bits : new int[] {8, 6, 4, 3, 2}) {
            for (boolean symmetric : new boolean[] {false, true}) {
                for (int group : new int[] {1, 7, 32, 128, 4096}) {
                    formats.add(Arguments.of(CommFormat.flash(bits, symmetric, group)));
                }
            }
        }
        return formats.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("flashFormats")
    void packedIsBitIdenticalToFake(CommFormat format) {
        AllReduceAlgorithm fake = AllReduceAlgorithms.create(format, CommPath.FAKE);
        AllReduceAlgorithm packed = AllReduceAlgorithms.create(format, CommPath.PACKED);
        SplittableRandom random = new SplittableRandom(format.name().hashCode());
        // (1, 5) and (2, 3) have fewer groups than ranks for large g, so some chunks are empty
        int[][] shapes = {{1, 5}, {2, 3}, {2, 33}, {3, 130}, {5, 64}, {2, 300}};
        for (int ranks : new int[] {1, 2, 3, 4, 8}) {
            for (int[] shape : shapes) {
                float[][] p = randomPartials(random, ranks, shape[0], shape[1]);
                float[][] before = deepCopy(p);
                float[] expected = fake.reduce(p, shape[0], shape[1]);
                float[] actual = packed.reduce(p, shape[0], shape[1]);
                String where = format + " N=" + ranks + " [" + shape[0] + ", " + shape[1] + "]: ";
                assertBitsEqual(expected, actual, where);
                for (int r = 0; r < ranks; r++) {
                    assertBitsEqual(before[r], p[r], where + "input " + r + " modified: ");
                }
            }
        }
    }

    @Test
    void ringQuantizesAtEveryHopThenOnceForTheAllGather() {
        CommFormat f = CommFormat.parse("int6-asym-g8");
        GroupQuantizer rs = new GroupQuantizer(f.reduceScatter());
        GroupQuantizer ag = new GroupQuantizer(f.allGather());
        int rows = 3;
        int cols = 20;   // 3 groups per row (8, 8, 4): 9 groups, chunks of 3 for N = 3
        for (int ranks : new int[] {1, 2, 3, 4}) {
            float[][] p = randomPartials(new SplittableRandom(ranks), ranks, rows, cols);
            float[] expected = new float[rows * cols];
            // recipe of the doc, one chunk of whole groups at a time, written out hop by hop
            for (int j = 0; j < ranks; j++) {
                int first = j * 9 / ranks;
                int count = (j + 1) * 9 / ranks - first;
                float[] acc = new float[rows * cols];
                if (ranks == 1) {
                    acc = p[0].clone();
                } else {
                    acc = p[(j + 1) % ranks].clone();
                    rs.qdqGroups(acc, cols, first, count);
                    for (int k = j + 2; k < j + ranks; k++) {
                        for (int i = 0; i < acc.length; i++) {
                            acc[i] += p[k % ranks][i];
                        }
                        rs.qdqGroups(acc, cols, first, count);
                    }
                    for (int i = 0; i < acc.length; i++) {
                        acc[i] += p[j][i];
                    }
                }
                ag.qdqGroups(acc, cols, first, count);
                int from = first / 3 * cols + first % 3 * 8;
                int to = (first + count) / 3 * cols + (first + count) % 3 * 8;
                System.arraycopy(acc, from, expected, from, to - from);
            }
            assertBitsEqual(expected, AllReduceAlgorithms.create(f, CommPath.RING).reduce(p, rows, cols), "N=" + ranks + ": ");
        }
    }

    @Test
    void ringDiffersFromFlashWhenThereAreManyHops() {
        CommFormat f = CommFormat.parse("int2-asym-g16");
        float[][] p = randomPartials(new SplittableRandom(21), 4, 4, 64);
        float[] flash = AllReduceAlgorithms.create(f, CommPath.FAKE).reduce(p, 4, 64);
        float[] ring = AllReduceAlgorithms.create(f, CommPath.RING).reduce(p, 4, 64);
        boolean differs = false;
        for (int i = 0; i < flash.length; i++) {
            differs |= flash[i] != ring[i];
        }
        assertTrue(differs, "ring re-quantization should change some values");
    }

    @Test
    void ringIsOnlyForFlashFormats() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AllReduceAlgorithms.create(CommFormat.FP16, CommPath.RING));
        assertTrue(e.getMessage().contains("fp16"), e.getMessage());
    }

    // Hand-computed byte counts; see the comments for the arithmetic.
    @ParameterizedTest(name = "{0} {1} T={2} H={3} N={4}")
    @CsvSource(delimiter = ';', value = {
        // 6 groups of 128 x 4 bit: 64 + 2 + 2 = 68 bytes each; chunks of 3 groups = 204 bytes; send 204 rs + 204 ag
        "int4-asym-g128; FAKE;   3; 256; 2; 408 408",
        "int4-asym-g128; PACKED; 3; 256; 2; 408 408",
        // groups of 7 and 3 elements: 3 + 4 = 7 and 2 + 4 = 6 bytes; chunks [0,0), [0,1), [1,2) = 0, 7, 6 bytes
        // rank 0: rs 7 + 6, ag 2 x 0; rank 1: rs 0 + 6, ag 2 x 7; rank 2: rs 0 + 7, ag 2 x 6
        "int3-asym-g7;   PACKED; 1; 10;  3; 13 20 19",
        // rs 4-bit sym: 2 + 2 and 1 + 2 bytes, ag 8-bit: 4 + 2 and 2 + 2; each chunk = one row: rs 7, ag 10
        "int6-sym-g4;    PACKED; 2; 6;   2; 17 17",
        "int4-asym-g128; PACKED; 3; 256; 1; 0",
        // fp32 ring, chunks of 8 and 7 elements: every rank sends 15 elements = 60 bytes
        "exact;          FAKE;   3; 5;   2; 60 60",
        // chunks 3, 3, 4 elements; rank r sends all but chunk r (rs) and all but chunk r+1 (ag)
        "exact;          FAKE;   1; 10;  3; 56 52 52",
        "fp16;           FAKE;   1; 10;  3; 28 26 26",
        "bf16;           PACKED; 1; 10;  3; 28 26 26",
        "fp16;           FAKE;   2048; 4096; 4; 25165824 25165824 25165824 25165824",
        "exact;          FAKE;   3; 5;   1; 0",
        // ring with quantized hops: rs and ag chunks 0, 7, 6 bytes; rank 0: rs 13 - 0 + ag 13 - 7; rank 1: 13 - 7 + 13 - 6;
        // rank 2: 13 - 6 + 13 - 0
        "int3-asym-g7;   RING;   1; 10;  3; 19 13 20",
        "int4-asym-g128; RING;   3; 256; 2; 408 408"})
    void bytesSentPerRank(String format, CommPath path, int rows, int cols, int ranks, String expected) {
        long[] bytes = AllReduceAlgorithms.create(CommFormat.parse(format), path).bytesSentPerRank(ranks, rows, cols);
        long[] want = Stream.of(expected.split(" ")).mapToLong(Long::parseLong).toArray();
        assertArrayEquals(want, bytes);
    }

    @Test
    void flashBytesMatchTheDocFormulaWhenChunksAreEven() {
        // (N-1)/N * (rs payload + ag payload) exactly, for int4 on [2048, 4096] over 4 ranks
        CommFormat f = CommFormat.parse("int4-asym-g128");
        long payload = f.reduceScatter().payloadBytes(2048, 4096);
        long[] bytes = AllReduceAlgorithms.create(f, CommPath.PACKED).bytesSentPerRank(4, 2048, 4096);
        for (long b : bytes) {
            assertEquals(3 * (payload + payload) / 4, b);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(CommPath.class)
    void nonFiniteValuesNameRankRowAndColumn(CommPath path) {
        List<String> formats = path == CommPath.RING ? List.of("int4", "int6-sym-g8") : List.of("exact", "fp16", "bf16", "int4", "int8-sym-g8");
        for (String format : formats) {
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                float[][] p = randomPartials(new SplittableRandom(1), 3, 2, 5);
                p[2][1 * 5 + 3] = bad;
                NonFiniteException e = assertThrows(NonFiniteException.class, () -> reduce(format, path, 2, 5, p));
                assertEquals(2, e.rank());
                assertEquals(1, e.row());
                assertEquals(3, e.col());
                assertTrue(e.getMessage().contains("rank 2") && e.getMessage().contains("row 1, col 3"), e.getMessage());
                NonFiniteException named = e.within("layer 3 down_proj");
                assertEquals("layer 3 down_proj: " + e.getMessage(), named.getMessage());
                assertEquals(3, named.col());
            }
        }
    }

    @Test
    void rejectsShapeMismatches() {
        AllReduceAlgorithm exact = AllReduceAlgorithms.create(CommFormat.EXACT, CommPath.FAKE);
        assertThrows(IllegalArgumentException.class, () -> exact.reduce(new float[][] {new float[6], new float[5]}, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> exact.reduce(new float[0][], 2, 3));
        assertThrows(IllegalArgumentException.class, () -> exact.bytesSentPerRank(0, 2, 3));
    }

    static float[][] randomPartials(SplittableRandom random, int ranks, int rows, int cols) {
        float[][] p = new float[ranks][rows * cols];
        for (int r = 0; r < ranks; r++) {
            for (int i = 0; i < p[r].length; i++) {
                int row = i / cols;
                // a few rows constant or with outliers, like real activations; some values beyond fp16's range
                p[r][i] = switch ((row + r) % 5) {
                    case 0 -> 0.25f;
                    case 1 -> (float) (random.nextGaussian() * (i % 17 == 0 ? 1e5 : 1));
                    default -> (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-3, 3)));
                };
            }
        }
        return p;
    }

    private static float[][] deepCopy(float[][] p) {
        float[][] c = new float[p.length][];
        for (int r = 0; r < p.length; r++) {
            c[r] = p[r].clone();
        }
        return c;
    }

    private static void assertBitsEqual(float[] expected, float[] actual) {
        assertBitsEqual(expected, actual, "");
    }

    private static void assertBitsEqual(float[] expected, float[] actual, String where) {
        assertEquals(expected.length, actual.length, where + "length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(where + "element " + i + ": expected " + expected[i] + " but was " + actual[i]);
            }
        }
    }
}
