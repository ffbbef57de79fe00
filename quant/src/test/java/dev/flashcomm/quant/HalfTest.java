package dev.flashcomm.quant;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HalfTest {

    /** Every finite fp16 value, ascending from 0 to 65504, as a double; index = bit pattern. */
    private static final double[] POSITIVE_HALVES = referenceHalves();

    /** fp16 decoded with plain arithmetic, independent of the bit tricks under test. */
    private static double referenceValue(int h) {
        int exponent = (h >>> 10) & 0x1f;
        int fraction = h & 0x3ff;
        double magnitude = exponent == 0 ? fraction * 0x1p-24 : (1 + fraction / 1024.0) * Math.pow(2, exponent - 15);
        return (h & 0x8000) != 0 ? -magnitude : magnitude;
    }

    private static double[] referenceHalves() {
        double[] v = new double[0x7c00];
        for (int h = 0; h < v.length; h++) {
            v[h] = referenceValue(h);
        }
        return v;
    }

    /** Reference R16: clamp, then the nearest fp16 found by binary search, ties to the even pattern. */
    private static double referenceR16(float x) {
        double a = Math.min(Math.abs((double) x), 65504.0);
        int lo = 0;
        int hi = POSITIVE_HALVES.length - 1;
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (POSITIVE_HALVES[mid] <= a) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        double dLo = a - POSITIVE_HALVES[lo];
        double dHi = POSITIVE_HALVES[hi] - a;
        int pick = dLo < dHi ? lo : dHi < dLo ? hi : (lo % 2 == 0 ? lo : hi);
        return Math.copySign(POSITIVE_HALVES[pick], x);
    }

    @Test
    void everyFp16PatternDecodesLikeTheReferenceAndRoundTrips() {
        for (int h = 0; h < 0x10000; h++) {
            short bits = (short) h;
            float f = Half.fromFp16Bits(bits);
            int exponent = (h >>> 10) & 0x1f;
            int fraction = h & 0x3ff;
            if (exponent == 0x1f && fraction != 0) {
                assertTrue(Float.isNaN(f), "NaN pattern " + Integer.toHexString(h));
                assertEquals(bits, Half.toFp16Bits(f), "NaN payload of " + Integer.toHexString(h));
                assertTrue(Float.isNaN(Half.r16(f)));
            } else if (exponent == 0x1f) {
                assertEquals((h & 0x8000) != 0 ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY, f);
                assertEquals((short) ((h & 0x8000) | 0x7bff), Half.toFp16Bits(f), "infinity saturates");
            } else {
                assertEquals(referenceValue(h), f, 0.0, "value of " + Integer.toHexString(h));
                assertEquals(bits, Half.toFp16Bits(f), "round trip of " + Integer.toHexString(h));
                assertEquals(Float.floatToRawIntBits(f), Float.floatToRawIntBits(Half.r16(f)), "r16 is identity on " + Integer.toHexString(h));
            }
        }
    }

    @Test
    void midpointsBetweenNeighboursRoundToTheEvenPattern() {
        for (int h = 0; h < 0x7bff; h++) {
            // exact in fp32: neighbours differ by one fp16 ulp, so the midpoint needs one more bit
            float mid = (float) ((POSITIVE_HALVES[h] + POSITIVE_HALVES[h + 1]) / 2);
            int even = h % 2 == 0 ? h : h + 1;
            assertEquals((short) even, Half.toFp16Bits(mid), "midpoint above " + Integer.toHexString(h));
            assertEquals((short) (even | 0x8000), Half.toFp16Bits(-mid), "negative midpoint above " + Integer.toHexString(h));
            assertEquals((short) h, Half.toFp16Bits(Math.nextDown(mid)), "just below midpoint above " + Integer.toHexString(h));
            assertEquals((short) (h + 1), Half.toFp16Bits(Math.nextUp(mid)), "just above midpoint above " + Integer.toHexString(h));
            assertEquals(POSITIVE_HALVES[even], Half.r16(mid), 0.0);
        }
    }

    @Test
    void r16MatchesTheReferenceOnRandomAndEdgeValues() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            // random bit patterns cover every exponent; scaled uniforms cover the fp16 range densely
            float x = i % 2 == 0 ? Float.intBitsToFloat(random.nextInt()) : (float) ((random.nextDouble() * 2 - 1) * Math.pow(2, random.nextInt(-26, 17)));
            if (Float.isNaN(x)) {
                continue;
            }
            float r = Half.r16(x);
            assertEquals(referenceR16(x), r, 0.0, "r16(" + x + ")");
            assertEquals(r, Half.fromFp16Bits(Half.toFp16Bits(x)), 0.0, "bits path for " + x);
        }
    }

    @Test
    void valuesBeyondTheFp16RangeSaturate() {
        assertEquals(65504f, Half.r16(70000f));
        assertEquals(65504f, Half.r16(1e9f));
        assertEquals(-65504f, Half.r16(-1e9f));
        assertEquals(65504f, Half.r16(65519.99f));
        assertEquals(65504f, Half.r16(65520f), "would overflow to infinity without the clamp");
        assertEquals(65504f, Half.r16(Float.POSITIVE_INFINITY));
        assertEquals(-65504f, Half.r16(Float.NEGATIVE_INFINITY));
        assertEquals((short) 0x7bff, Half.toFp16Bits(Float.MAX_VALUE));
        assertEquals((short) 0xfbff, Half.toFp16Bits(-70000f));
    }

    @Test
    void subnormalsRoundOnTheTwoToMinus24Grid() {
        assertEquals(0x1p-24f, Half.r16(0x1p-24f));
        assertEquals(0f, Half.r16(0x1p-25f), "a tie between 0 and one unit goes to 0");
        assertEquals(0x1p-23f, Half.r16(3 * 0x1p-25f), "a tie between one and two units goes to two");
        assertEquals(0x1p-14f, Half.r16(0x1p-14f - 0x1p-25f), "a tie below the smallest normal goes up to it");
        assertEquals((short) 0x0400, Half.toFp16Bits(0x1p-14f - 0x1p-25f));
        assertEquals((short) 0x0001, Half.toFp16Bits(0x1.8p-25f));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(Half.r16(-1e-10f)), "sign of an underflow is kept");
        assertEquals((short) 0x8000, Half.toFp16Bits(-1e-10f));
    }

    @Test
    void knownFp16Values() {
        assertEquals(0.0999755859375f, Half.r16(0.1f));
        assertEquals((short) 0x2e66, Half.toFp16Bits(0.1f));
        assertEquals((short) 0x3c00, Half.toFp16Bits(1f));
        assertEquals((short) 0xc080, Half.toFp16Bits(-2.25f));
        assertEquals(2048f, Half.r16(2049f), "tie between 2048 and 2050 goes to the even fraction");
        assertEquals(2052f, Half.r16(2051f));
    }

    @Test
    void bf16RoundsToNearestEvenAndKeepsNaN() {
        assertEquals(1f, Half.rbf16(1f + 0x1p-8f), "tie goes to the even fraction");
        assertEquals(1f + 0x1p-6f, Half.rbf16(1f + 3 * 0x1p-8f), "tie goes to the even fraction");
        assertEquals(1f + 0x1p-7f, Half.rbf16(1f + 0x1p-8f + 0x1p-20f));
        assertEquals(-1f - 0x1p-7f, Half.rbf16(-1f - 0x1p-8f - 0x1p-20f));
        assertEquals(Float.POSITIVE_INFINITY, Half.rbf16(Float.MAX_VALUE), "bf16 has no clamp");
        assertTrue(Float.isNaN(Half.rbf16(Float.NaN)));
        assertTrue(Float.isNaN(Half.rbf16(Float.intBitsToFloat(0x7f800001))), "a NaN with a low payload must not become infinity");
        for (int b = 0; b < 0x10000; b++) {
            float v = Float.intBitsToFloat(b << 16);
            if (!Float.isNaN(v)) {
                assertEquals(b << 16, Float.floatToRawIntBits(Half.rbf16(v)), "bf16 value " + Integer.toHexString(b));
            }
        }
    }

    @Test
    void r16KeepsNaN() {
        assertTrue(Float.isNaN(Half.r16(Float.NaN)));
        assertTrue(Float.isNaN(Half.r16(Float.intBitsToFloat(0xff800001))));
        assertTrue(Float.isNaN(Half.fromFp16Bits(Half.toFp16Bits(Float.intBitsToFloat(0x7f800001)))), "payload only in dropped bits stays NaN");
    }
}
