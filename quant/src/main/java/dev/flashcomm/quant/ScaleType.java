package dev.flashcomm.quant;

/**
 * The dtype a group's scale travels in, and how a raw fp32 scale is rounded to it.
 *
 * <ul>
 *   <li>{@link #FP16}: the doc's R16 (clamp to ±65504, round to nearest-even), 2 bytes;</li>
 *   <li>{@link #FP32}: as computed, 4 bytes;</li>
 *   <li>{@link #E8M0}: OCP MX's unsigned power of two {@code 2^(code - 127)}, code 0..254, 1 byte; rounded to the
 *       power of two at or above (so the group's absmax never exceeds fmax after scaling), at least 2^-127.</li>
 * </ul>
 * A scale that rounds to 0 becomes 1, as for the integer formats.
 */
public enum ScaleType {
    FP16("fp16", 2),
    FP32("fp32", 4),
    E8M0("e8m0", 1);

    /** e8m0's smallest value, 2^-127 (code 0), an fp32 subnormal. */
    public static final float E8M0_MIN = 0x1p-127f;
    private static final int E8M0_BIAS = 127;

    private final String id;
    private final int bytes;

    ScaleType(String id, int bytes) {
        this.id = id;
        this.bytes = bytes;
    }

    public String id() {
        return id;
    }

    /** Bytes of one scale on the wire. */
    public int bytes() {
        return bytes;
    }

    /** {@code raw} (finite, >= 0) rounded to this dtype, then 1 if that is 0. */
    public float round(float raw) {
        float s = switch (this) {
            case FP16 -> Half.r16(raw);
            case FP32 -> raw;
            case E8M0 -> raw == 0f ? 0f : powerOfTwoAtOrAbove(raw);
        };
        return s == 0f ? 1f : s;
    }

    /** The smallest power of two >= raw, at least 2^-127 (raw positive and at most 2^127). */
    static float powerOfTwoAtOrAbove(float raw) {
        double d = raw;
        double p = Math.scalb(1.0, Math.getExponent(d));
        double up = p == d ? p : 2 * p;
        return (float) Math.max(up, E8M0_MIN);
    }

    /** e8m0 code of a power of two in [2^-127, 2^127]. */
    public static int e8m0Code(float powerOfTwo) {
        return Math.getExponent((double) powerOfTwo) + E8M0_BIAS;
    }

    /** The power of two an e8m0 code stands for. */
    public static float e8m0Value(int code) {
        if (code < 0 || code > 254) {
            throw new IllegalArgumentException("e8m0 code " + code + " is not a finite scale");
        }
        return (float) Math.scalb(1.0, code - E8M0_BIAS);
    }

    static ScaleType byId(String id) {
        for (ScaleType t : values()) {
            if (t.id.equals(id)) {
                return t;
            }
        }
        return null;
    }
}
