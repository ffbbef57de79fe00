package dev.flashcomm.quant;

/**
 * What one quantized element is: an integer level ({@link #INT}, width and symmetry in {@link QuantSpec}) or a
 * small IEEE-style float (OCP FP8 E4M3 / E5M2, FP4 E2M1) times the group's scale.
 *
 * <p>The float elements round to nearest, ties to even, onto their grid (subnormals included) after a clamp to
 * ±{@link #fmax()}, so they saturate and never produce Inf or NaN. Their codes are the format's own bit patterns:
 * sign in the top bit, then the biased exponent, then the mantissa. E4M3 is the "fn" variant (no infinities; only
 * S.1111.111 is NaN, so the largest finite magnitude is 448); E5M2 keeps IEEE's Inf/NaN codes (exponent 31); E2M1
 * has neither (all 16 codes finite).
 *
 * <p>All arithmetic is exact in fp32: the grid spacing is a power of two and every grid value has at most four
 * significant bits, so {@code rint(y / ulp) * ulp} rounds once, however division is implemented.
 */
public enum ElementType {
    INT("int", 0, 0, 0, 0f),
    FP8_E4M3("fp8-e4m3", 8, 3, -6, 448f),
    FP8_E5M2("fp8-e5m2", 8, 2, -14, 57344f),
    FP4_E2M1("fp4-e2m1", 4, 1, 0, 6f);

    private final String id;
    private final int bits;
    private final int mantissaBits;
    private final int minExponent;
    private final float fmax;

    ElementType(String id, int bits, int mantissaBits, int minExponent, float fmax) {
        this.id = id;
        this.bits = bits;
        this.mantissaBits = mantissaBits;
        this.minExponent = minExponent;
        this.fmax = fmax;
    }

    /** The name prefix: {@code int}, {@code fp8-e4m3}, {@code fp8-e5m2}, {@code fp4-e2m1}. */
    public String id() {
        return id;
    }

    public boolean isFloat() {
        return this != INT;
    }

    /** Code width of a float element (8 or 4). */
    public int bits() {
        requireFloat();
        return bits;
    }

    /** Explicit mantissa bits m: 3, 2, 1. */
    public int mantissaBits() {
        requireFloat();
        return mantissaBits;
    }

    /** Exponent of the smallest normal, 1 - bias: -6, -14, 0. Below it the grid is fixed at 2^(emin - m). */
    public int minExponent() {
        requireFloat();
        return minExponent;
    }

    /** Largest finite magnitude: 448, 57344, 6. */
    public float fmax() {
        requireFloat();
        return fmax;
    }

    /** Largest exponent of a finite value: 8, 15, 2. */
    public int maxExponent() {
        return Math.getExponent(fmax());
    }

    /** {@code clamp(y, ±fmax)} rounded to nearest-even onto the grid; keeps the sign of zero. NaN stays NaN. */
    public float round(float y) {
        float c = Math.min(Math.max(y, -fmax()), fmax);
        float ulp = ulpOf(c);
        return (float) Math.rint(c / ulp) * ulp;
    }

    /** The grid spacing at |y| (|y| at most fmax): {@code 2^(max(floor(log2|y|), emin) - m)}. */
    float ulpOf(float y) {
        int e = Math.max(Math.getExponent(y), minExponent);
        return Math.scalb(1f, e - mantissaBits);
    }

    /**
     * The code of grid value {@code q} (a result of {@link #round}): sign bit, then magnitude code
     * {@code (k - emin) * 2^m + |q| / 2^(k - m)} with {@code k = max(floor(log2|q|), emin)}, which is the biased
     * exponent and mantissa fields side by side (the subnormal and normal cases are the same expression). NaN gets
     * the format's NaN code (E4M3 S.1111.111, E5M2 S.11111.11); E2M1 has none and gets S.111 (6).
     */
    public int encode(float q) {
        int sign = (Float.floatToRawIntBits(q) >>> 31) << (bits() - 1);
        if (Float.isNaN(q)) {
            // e2m1 has no NaN: its largest code stands in (a NaN group's codes are undefined in the packed layout)
            return sign | ((1 << (bits - 1)) - 1);
        }
        if (Float.isInfinite(q)) {
            if (this != FP8_E5M2) {
                throw new IllegalArgumentException(id + " has no infinity");
            }
            return sign | 0x7c;
        }
        float a = Math.abs(q);
        int k = Math.max(Math.getExponent(a), minExponent);
        int units = (int) (a / Math.scalb(1f, k - mantissaBits));
        return sign | (((k - minExponent) << mantissaBits) + units);
    }

    /** The value of a code, exactly (every code of these formats is an fp32 value). */
    public float decode(int code) {
        int magnitudeBits = bits() - 1;
        if (code < 0 || code >= 1 << bits) {
            throw new IllegalArgumentException(id + " code " + code + " is out of range");
        }
        boolean negative = (code >>> magnitudeBits) != 0;
        int c = code & ((1 << magnitudeBits) - 1);
        int field = c >>> mantissaBits;
        int mant = c & ((1 << mantissaBits) - 1);
        float magnitude;
        if (this == FP8_E4M3 && c == 0x7f) {
            magnitude = Float.NaN;
        } else if (this == FP8_E5M2 && field == 31) {
            magnitude = mant == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else {
            magnitude = magnitudeOf(field, mant);
        }
        return negative ? -magnitude : magnitude;
    }

    /** {@code field == 0 ? mant * 2^(emin-m) : (2^m + mant) * 2^(field - 1 + emin - m)}. */
    float magnitudeOf(int field, int mant) {
        int units = field == 0 ? mant : (1 << mantissaBits) + mant;
        return units * Math.scalb(1f, Math.max(field, 1) - 1 + minExponent - mantissaBits);
    }

    /** The element named {@code id} (as {@link #id()} spells it), or null. */
    static ElementType byId(String id) {
        for (ElementType t : values()) {
            if (t.id.equals(id)) {
                return t;
            }
        }
        return null;
    }

    private void requireFloat() {
        if (this == INT) {
            throw new IllegalStateException("int elements have their width in the QuantSpec");
        }
    }
}
