package dev.flashcomm.tp.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.tp.Engines;
import dev.flashcomm.tp.comm.engine.Workspace;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One expert-parallel leg's rounding ({@link LegCodec}): the engine path (DJL ops) equals the host oracle (module
 * {@code quant}) bit for bit on CPU fp32, a few values worked out by hand per format, and the wire bytes of one row.
 */
class LegCodecTest {

    /** Every leg format the brief names: the 16-bit casts, int8/int4 both symmetries, fp8 with both scale dtypes. */
    static final String[] FORMATS = {"exact", "fp16", "bf16", "int8-asym-g128", "int8-sym-g128", "int4-asym-g128",
        "int4-sym-g128", "fp8-e4m3-g128-sfp32", "fp8-e4m3-g128-se8m0"};

    private static NDManager cpu;

    @BeforeAll
    static void open() {
        cpu = Engines.newRootManager(Device.cpu());
    }

    @AfterAll
    static void close() {
        cpu.close();
    }

    // ---- engine == host

    /** Rows of 100 (shorter than one group of 128), 256 (two whole groups), 300 (two groups and a tail of 44). */
    static Stream<Arguments> grid() {
        return Arrays.stream(FORMATS).flatMap(f -> Stream.of(100, 256, 300).map(cols -> Arguments.of(f, cols)));
    }

    @ParameterizedTest(name = "{0} H={1}")
    @MethodSource("grid")
    void engineEqualsHostBitForBit(String name, int cols) {
        int rows = 6;
        float[] x = payload(new Random(31L * cols + name.hashCode()), rows, cols);
        LegCodec codec = new LegCodec(CommFormat.parse(name));
        float[] host = roundOnHost(codec, x, rows, cols);
        float[] engine = roundOnEngine(codec, x, rows, cols);
        assertBitsEqual(host, engine, name + " H=" + cols);
        // the comparison means something only if the leg changed the payload (exact: it must not)
        if (name.equals("exact")) {
            assertBitsEqual(x, host, "exact leaves every row as it is");
        } else {
            assertNotEquals(Arrays.toString(x), Arrays.toString(host), name + " rounds the payload");
        }
    }

    /**
     * Six payload rows: all zeros (every scale falls back to 1), unit gaussians, small values with exact +0 and -0
     * among them, large values with one outlier (a group's scale set by one element), values past fp16's 65504
     * (where fp16 saturates and bf16/fp8 do not), and unit gaussians again (a second ordinary row, so rows are not
     * mixed up).
     */
    static float[] payload(Random rnd, int rows, int cols) {
        float[] x = new float[rows * cols];
        for (int c = 0; c < cols; c++) {
            x[cols + c] = (float) rnd.nextGaussian();
            x[2 * cols + c] = c % 5 == 0 ? (c % 10 == 0 ? 0f : -0f) : (float) (rnd.nextGaussian() * 1e-3);
            x[3 * cols + c] = (float) (rnd.nextGaussian() * 30);
            x[4 * cols + c] = (float) (rnd.nextGaussian() * 4e4);
            x[5 * cols + c] = (float) rnd.nextGaussian();
        }
        x[3 * cols + cols / 2] = 1000f;
        x[4 * cols + 1] = 1e5f;
        x[4 * cols + 2] = -70000f;
        return x;
    }

    static float[] roundOnHost(LegCodec codec, float[] x, int rows, int cols) {
        float[] out = x.clone();
        codec.roundHost(out, rows, cols);
        return out;
    }

    static float[] roundOnEngine(LegCodec codec, float[] x, int rows, int cols) {
        try (NDManager m = cpu.newSubManager()) {
            NDArray a = m.create(x, new Shape(rows, cols));
            try (Workspace ws = Workspace.newUnder(a)) {
                return codec.roundEngine(ws.adopt(a, rows, cols), ws).toFloatArray();
            }
        }
    }

    static void assertBitsEqual(float[] want, float[] got, String label) {
        assertEquals(want.length, got.length, label + ": length");
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                fail(label + ": element " + i + " is " + got[i] + " (0x"
                        + Integer.toHexString(Float.floatToRawIntBits(got[i])) + "), want " + want[i] + " (0x"
                        + Integer.toHexString(Float.floatToRawIntBits(want[i])) + ")");
            }
        }
    }

    // ---- values worked out by hand, on both paths

    /** Rounds one row on the host and on the engine; both must give {@code want} exactly. */
    private static void assertRoundsTo(String format, float[] row, float[] want) {
        LegCodec codec = new LegCodec(CommFormat.parse(format));
        assertBitsEqual(want, roundOnHost(codec, row, 1, row.length), format + " host");
        assertBitsEqual(want, roundOnEngine(codec, row, 1, row.length), format + " engine");
    }

    @Test
    void bf16RoundsToNearestTiesToEven() {
        // bf16 keeps 7 fraction bits: next to 1 the spacing is 2^-7, so 1+2^-8 is exactly half way between 1 (even
        // last bit) and 1+2^-7 (odd): it goes down to 1; 1+3*2^-8 lies between 1+2^-7 (odd) and 1+2^-6 (even): up.
        // Anything past the half way point goes up whatever the parity; signs are symmetric.
        assertRoundsTo("bf16",
                new float[] {1 + 0x1p-8f, 1 + 3 * 0x1p-8f, 1 + 0x1p-8f + 0x1p-20f, -(1 + 0x1p-8f), 0f, -0f},
                new float[] {1f, 1 + 0x1p-6f, 1 + 0x1p-7f, -1f, 0f, -0f});
    }

    @Test
    void fp16RoundsToNearestEvenAndSaturates() {
        // fp16 keeps 10 fraction bits: 1+2^-11 is half way between 1 and 1+2^-10 (odd): down; 1+3*2^-11 between
        // 1+2^-10 (odd) and 1+2^-9 (even): up. R16 clamps to +-65504 first (the doc's rule), so 70000 becomes 65504.
        assertRoundsTo("fp16", new float[] {1 + 0x1p-11f, 1 + 3 * 0x1p-11f, 70000f, -1e5f},
                new float[] {1f, 1 + 0x1p-9f, 65504f, -65504f});
    }

    @Test
    void fp8GroupWhoseAmaxIs448TimesAPowerOfTwo() {
        // amax 224 = 448 * 0.5: the fp32 scale is exactly 0.5 and x/s is exact, so each value is e4m3-rounded
        // x/s times 0.5. e4m3 has 3 fraction bits: in [1, 2) the spacing is 1/8, in [256, 448] it is 32, and its
        // smallest subnormal is 2^-9.
        float[] row = new float[128];
        float[] want = new float[128];
        float s = 0.5f;
        float[][] cases = {
            {448, 448}, // the amax itself: e4m3's largest finite value
            {-448, -448},
            {1.0625f, 1}, // half way between 1 (fraction 000) and 1.125 (001): to even, down
            {1.1875f, 1.25f}, // half way between 1.125 (001) and 1.25 (010): to even, up
            {300, 288}, // between 288 and 320, nearer 288
            {304, 320}, // half way between 288 (001) and 320 (010): up
            {0x1p-10f, 0}, // half the smallest subnormal: ties to 0
            {3 * 0x1p-10f, 0x1p-8f}, // half way between 2^-9 (001) and 2^-8 (010): up
        };
        for (int i = 0; i < cases.length; i++) {
            row[i] = cases[i][0] * s;
            want[i] = cases[i][1] * s;
        }
        assertRoundsTo("fp8-e4m3-g128-sfp32", row, want); // the other 120 elements stay 0
    }

    @Test
    void fp8WithPowerOfTwoScaleOnARowShorterThanAGroup() {
        // e8m0 rounds amax/448 = 300/448 up to the power of two at or above it: 1. The row of 6 is one short group,
        // and every value is coded as itself: 300 -> 288 (spacing 32), 0.001 -> 2^-9 (0.001 * 512 = 0.512 of the
        // smallest subnormal, past half), -0.75 exact, -0 keeps its sign (the float elements do not add +0).
        assertRoundsTo("fp8-e4m3-g128-se8m0", new float[] {300, 1.0625f, -0.75f, 0.001f, 0f, -0f},
                new float[] {288, 1, -0.75f, 0x1p-9f, 0f, -0f});
        // the same row with fp32 scales: s = 300/448, and 300/s = 448 to within fp32, so 300 comes back to ~300
        LegCodec sfp32 = new LegCodec(CommFormat.parse("fp8-e4m3-g128-sfp32"));
        float[] r = roundOnHost(sfp32, new float[] {300, 1.0625f, -0.75f, 0.001f, 0f, -0f}, 1, 6);
        assertEquals(300f, r[0], 300f * 0x1p-22f);
    }

    @Test
    void integerLevelsRoundHalfToEven() {
        // int8 asym: mn = R16(0) = 0, s = R16((255 - 0) / 255) = 1, so each value's level is rint(x): 0.5 -> 0,
        // 1.5 -> 2, 2.5 -> 2, 254.5 -> 254 (ties to even)
        assertRoundsTo("int8-asym-g128", new float[] {0, 255, 0.5f, 1.5f, 2.5f, 254.5f},
                new float[] {0, 255, 0, 2, 2, 254});
        // int4 sym: a = R16(7 / 7) = 1, levels -7..7: 0.5 -> 0, 1.5 -> 2, -2.5 -> -2, 3.49 -> 3
        assertRoundsTo("int4-sym-g128", new float[] {7, -7, 0.5f, 1.5f, -2.5f, 3.49f},
                new float[] {7, -7, 0, 2, -2, 3});
        // int4 asym over a two-group row of 130: the second group (2 elements, 1 and 31) has its own min and scale:
        // mn = 1, s = R16(30/15) = 2, so 31 -> level 15 -> 31; the first group is all 0 -> scale 1 -> 0
        float[] row = new float[130];
        row[128] = 1;
        row[129] = 31;
        assertRoundsTo("int4-asym-g128", row, row.clone());
    }

    // ---- bytes on the wire

    @Test
    void bytesPerRowByHand() {
        assertEquals(4L * 256, new LegCodec(CommFormat.EXACT).bytesPerRow(256), "exact: fp32, 4 bytes an element");
        assertEquals(2L * 256, new LegCodec(CommFormat.FP16).bytesPerRow(256), "fp16: 2H");
        assertEquals(2L * 256, new LegCodec(CommFormat.BF16).bytesPerRow(256), "bf16: 2H");
        // int4 asym g128: a group of 128 is 64 code bytes + fp16 scale + fp16 min = 68
        assertBytes("int4-asym-g128", 256, 2 * 68);
        assertBytes("int4-asym-g128", 300, 2 * 68 + (22 + 4)); // tail of 44 codes: 22 bytes
        assertBytes("int4-asym-g128", 100, 50 + 4); // one short group
        assertBytes("int4-sym-g128", 300, 2 * 66 + (22 + 2)); // symmetric: no min
        assertBytes("int8-sym-g128", 256, 2 * 130);
        assertBytes("int8-asym-g128", 300, 2 * 132 + (44 + 4));
        // fp8 e4m3 g128 with an fp32 scale: 128 one-byte codes + 4 = 132 (DeepEP's 128 channels + 1 float)
        assertBytes("fp8-e4m3-g128-sfp32", 256, 2 * 132);
        assertBytes("fp8-e4m3-g128-sfp32", 300, 2 * 132 + (44 + 4));
        assertBytes("fp8-e4m3-g128-se8m0", 256, 2 * 129); // a one-byte e8m0 scale
        assertBytes("fp8-e4m3-g128-se8m0", 7168, 56 * 129); // DeepSeek-V3's hidden size: 56 groups
    }

    /** {@code bytes} by hand, and the same number from {@code QuantSpec.payloadBytes} of a one-row matrix. */
    private static void assertBytes(String format, int cols, long bytes) {
        CommFormat f = CommFormat.parse(format);
        assertEquals(bytes, new LegCodec(f).bytesPerRow(cols), format + " H=" + cols);
        assertEquals(bytes, f.reduceScatter().payloadBytes(1, cols), format + " H=" + cols + " payloadBytes");
    }
}
