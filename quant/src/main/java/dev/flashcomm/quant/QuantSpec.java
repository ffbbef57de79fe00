package dev.flashcomm.quant;

/**
 * One group quantization format: {@code bits} per code, asymmetric (min + scale) or symmetric (scale only), and
 * {@code groupSize} consecutive elements of one row per group.
 *
 * @param bits      code width, 2..8
 * @param symmetric true for codes {@code -qmax..qmax} times a scale, false for {@code 0..qmax} times a scale plus a min
 * @param groupSize elements per group (the last group of a row may be shorter); at least 1
 */
public record QuantSpec(int bits, boolean symmetric, int groupSize) {

    public static final int MIN_BITS = 2;
    public static final int MAX_BITS = 8;

    public QuantSpec {
        if (bits < MIN_BITS || bits > MAX_BITS) {
            throw new IllegalArgumentException("quantization bits must be " + MIN_BITS + ".." + MAX_BITS + ", got " + bits);
        }
        if (groupSize < 1) {
            throw new IllegalArgumentException("group size must be >= 1, got " + groupSize);
        }
    }

    /** Largest code magnitude: {@code 2^b - 1} asymmetric, {@code 2^(b-1) - 1} symmetric (int4 sym uses -7..7). */
    public int qmax() {
        return symmetric ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
    }

    /** Bytes of fp16 side data per group: the scale, plus the min when asymmetric. */
    public int headerBytes() {
        return symmetric ? 2 : 4;
    }

    /** Exact size of a packed [rows, cols] matrix in the {@link GroupQuantizer} layout. */
    public int payloadBytes(int rows, int cols) {
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be >= 0, got " + rows);
        }
        GroupLayout layout = new GroupLayout(this, cols);
        return Math.toIntExact(layout.byteOffset((long) rows * layout.groupsPerRow()));
    }
}
