package dev.flashcomm.quant;

/**
 * fp16 and bf16 rounding of fp32 values, as the communication formats apply them.
 *
 * <p>Java 17 has no {@code Float.floatToFloat16}, so the conversions are done on the bit patterns. Everything here
 * rounds to nearest, ties to even, handles fp16 subnormals, and keeps NaN as NaN. fp16 conversions first clamp to
 * ±65504 (the doc's {@code R16}), so they saturate instead of overflowing to infinity.
 */
public final class Half {

    /** Largest finite fp16 value; R16 clamps to ±this before rounding. */
    public static final float MAX = 65504f;

    private static final int ABS_MASK = 0x7fffffff;
    private static final int FP32_INF = 0x7f800000;
    private static final int FP32_SIGN = 0x80000000;
    /** fp32 bits of 65504: from here up (infinity included) R16 saturates. */
    private static final int FP32_BITS_OF_MAX = 0x477fe000;
    /** fp32 bits of 65520, half-way between 65504 and 2^16: from here up an IEEE cast to fp16 overflows. */
    private static final int FP32_BITS_OF_OVERFLOW = 0x477ff000;
    /** fp32 bits of 2^-14, fp16's smallest normal; below it fp16 is a fixed grid of 2^-24. */
    private static final int FP32_BITS_OF_MIN_NORMAL = 0x38800000;
    /** fp32 keeps 23 fraction bits, fp16 10: the 13 dropped bits are rounded away. */
    private static final int DROPPED_BITS = 13;
    private static final int HALF_ULP_MINUS_ONE = (1 << (DROPPED_BITS - 1)) - 1;
    /** Adding 0.5 to a value below 2^-14 leaves an fp32 ulp of exactly 2^-24, so the add itself rounds onto the fp16 subnormal grid. */
    private static final float SUBNORMAL_ROUNDER = 0.5f;
    private static final int EXPONENT_REBIAS = (127 - 15) << 10;
    private static final short FP16_MAX_BITS = 0x7bff;

    private Half() {
    }

    /** The doc's {@code R16}: clamp to ±65504, round to nearest-even fp16, return it as fp32. NaN stays NaN. */
    public static float r16(float x) {
        int bits = Float.floatToRawIntBits(x);
        int abs = bits & ABS_MASK;
        if (abs >= FP32_BITS_OF_MAX) {
            return abs > FP32_INF ? x : Math.copySign(MAX, x);
        }
        if (abs < FP32_BITS_OF_MIN_NORMAL) {
            float rounded = (Float.intBitsToFloat(abs) + SUBNORMAL_ROUNDER) - SUBNORMAL_ROUNDER;
            return Math.copySign(rounded, x);
        }
        int rounded = roundFraction(abs) << DROPPED_BITS;
        return Float.intBitsToFloat(rounded | (bits & FP32_SIGN));
    }

    /**
     * Plain IEEE conversion to fp16 and back, no clamp: like {@link #r16} below 65520, but magnitudes from 65520 up
     * (where round-to-nearest-even passes 65504) become ±Inf. What a bare bf16/fp32 to fp16 cast does.
     */
    public static float r16Inf(float x) {
        int abs = Float.floatToRawIntBits(x) & ABS_MASK;
        if (abs >= FP32_BITS_OF_OVERFLOW && abs <= FP32_INF) {
            return Math.copySign(Float.POSITIVE_INFINITY, x);
        }
        return r16(x);
    }

    /** IEEE fp16 bits of {@code x} after the same clamp and rounding as {@link #r16}. NaN maps to a quiet fp16 NaN. */
    public static short toFp16Bits(float x) {
        int bits = Float.floatToRawIntBits(x);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & ABS_MASK;
        if (abs > FP32_INF) {
            int payload = (abs >>> DROPPED_BITS) & 0x3ff;
            // a payload only in the dropped bits would read back as infinity, so force one bit on
            return (short) (sign | 0x7c00 | (payload == 0 ? 0x200 : payload));
        }
        if (abs >= FP32_BITS_OF_MAX) {
            return (short) (sign | FP16_MAX_BITS);
        }
        if (abs < FP32_BITS_OF_MIN_NORMAL) {
            float rounded = (Float.intBitsToFloat(abs) + SUBNORMAL_ROUNDER) - SUBNORMAL_ROUNDER;
            // exact: rounded is a multiple of 2^-24 no larger than 2^-14; 1024 becomes the smallest normal, as it should
            return (short) (sign | (int) (rounded * 0x1p24f));
        }
        return (short) (sign | (roundFraction(abs) - EXPONENT_REBIAS));
    }

    /** The fp32 value of IEEE fp16 bits (exact: every fp16 value is an fp32 value). */
    public static float fromFp16Bits(short h) {
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int fraction = h & 0x3ff;
        if (exponent == 0) {
            float magnitude = fraction * 0x1p-24f;
            return sign != 0 ? -magnitude : magnitude;
        }
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | FP32_INF | (fraction << DROPPED_BITS));
        }
        return Float.intBitsToFloat(sign | ((exponent << 10 | fraction) + EXPONENT_REBIAS) << DROPPED_BITS);
    }

    /** Round to nearest-even bfloat16 (the top 16 bits of fp32), returned as fp32. NaN stays NaN; no clamp. */
    public static float rbf16(float x) {
        int bits = Float.floatToRawIntBits(x);
        if ((bits & ABS_MASK) > FP32_INF) {
            return x;
        }
        int rounded = (bits + 0x7fff + ((bits >>> 16) & 1)) & 0xffff0000;
        return Float.intBitsToFloat(rounded);
    }

    /**
     * Rounds the 13 dropped fraction bits of a positive normal-range fp32 pattern half to even and returns the
     * remaining bits (exponent and 10-bit fraction, still with fp32's exponent bias). A carry into the exponent is
     * the correct result.
     */
    private static int roundFraction(int abs) {
        int lsb = (abs >>> DROPPED_BITS) & 1;
        return (abs + HALF_ULP_MINUS_ONE + lsb) >>> DROPPED_BITS;
    }
}
