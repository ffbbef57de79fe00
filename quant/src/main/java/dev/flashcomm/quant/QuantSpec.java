package dev.flashcomm.quant;

/**
 * One group quantization format: the element type, its code width and (for integers) symmetry, {@code groupSize}
 * consecutive elements of one row per group, the dtype of the group's scale, and whether the group's min and max
 * elements are kept exactly ({@code spikes}, FlashCommunication V2's spike reserving).
 *
 * <p>Integer elements: {@code bits} 2..8, asymmetric (min + scale) or symmetric (scale only), fp16 scale and min.
 * Float elements ({@link ElementType#isFloat()}): {@code bits} is the element's width (8 or 4), always symmetric,
 * scale in any {@link ScaleType}.
 *
 * @param element   integer or which small float
 * @param bits      code width, 2..8
 * @param symmetric true for codes {@code -qmax..qmax} times a scale, false for {@code 0..qmax} times a scale plus a min
 * @param groupSize elements per group (the last group of a row may be shorter); at least 1
 * @param scaleType dtype of the per-group scale
 * @param spikes    keep each group's first min and first max element as fp16 values at their positions
 */
public record QuantSpec(ElementType element, int bits, boolean symmetric, int groupSize, ScaleType scaleType,
                        boolean spikes) {

    public static final int MIN_BITS = 2;
    public static final int MAX_BITS = 8;
    /** Bytes of one kept spike value (fp16). */
    public static final int SPIKE_VALUE_BYTES = 2;
    /** Groups up to this size address a spike with one byte, larger ones with two. */
    public static final int ONE_BYTE_INDEX_GROUP = 256;

    public QuantSpec {
        if (element == null || scaleType == null) {
            throw new IllegalArgumentException("element and scale type must not be null");
        }
        if (element.isFloat()) {
            if (bits != element.bits() || !symmetric) {
                throw new IllegalArgumentException(element.id() + " is a symmetric " + element.bits() + "-bit element, got "
                        + bits + " bits, " + (symmetric ? "sym" : "asym"));
            }
        } else {
            if (bits < MIN_BITS || bits > MAX_BITS) {
                throw new IllegalArgumentException("quantization bits must be " + MIN_BITS + ".." + MAX_BITS + ", got " + bits);
            }
            if (scaleType != ScaleType.FP16) {
                throw new IllegalArgumentException("integer formats carry fp16 scales (and mins), got " + scaleType.id());
            }
        }
        if (groupSize < 1) {
            throw new IllegalArgumentException("group size must be >= 1, got " + groupSize);
        }
    }

    /** An integer format with fp16 scales and no spikes (the doc's original formats). */
    public QuantSpec(int bits, boolean symmetric, int groupSize) {
        this(ElementType.INT, bits, symmetric, groupSize, ScaleType.FP16, false);
    }

    /** A float-element format. */
    public static QuantSpec ofFloat(ElementType element, int groupSize, ScaleType scaleType, boolean spikes) {
        return new QuantSpec(element, element.bits(), true, groupSize, scaleType, spikes);
    }

    /** The same format with spike reserving on or off. */
    public QuantSpec withSpikes(boolean on) {
        return new QuantSpec(element, bits, symmetric, groupSize, scaleType, on);
    }

    /** The same format with another group size. */
    public QuantSpec withGroupSize(int g) {
        return new QuantSpec(element, bits, symmetric, g, scaleType, spikes);
    }

    /** Largest integer code magnitude: {@code 2^b - 1} asymmetric, {@code 2^(b-1) - 1} symmetric (int4 sym uses -7..7). */
    public int qmax() {
        if (element.isFloat()) {
            throw new IllegalStateException(element.id() + " has no integer levels");
        }
        return symmetric ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
    }

    /** Bytes of one spike position: 1 for groups of up to 256 elements, else 2. */
    public int spikeIndexBytes() {
        return groupSize <= ONE_BYTE_INDEX_GROUP ? 1 : 2;
    }

    /**
     * Bytes of side data per group: the scale in its dtype, the fp16 min when asymmetric, and with spikes two fp16
     * values and two positions.
     */
    public int headerBytes() {
        int h = scaleType.bytes() + (symmetric ? 0 : 2);
        return spikes ? h + 2 * (SPIKE_VALUE_BYTES + spikeIndexBytes()) : h;
    }

    /** Exact size of a packed [rows, cols] matrix in the {@link GroupQuantizer} layout. */
    public int payloadBytes(int rows, int cols) {
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be >= 0, got " + rows);
        }
        GroupLayout layout = new GroupLayout(this, cols);
        return Math.toIntExact(layout.byteOffset((long) rows * layout.groupsPerRow()));
    }

    /** The name part of this spec: {@code int4-sym}, {@code fp8-e4m3}, ... (group, scale, spikes come after). */
    String elementName() {
        return element.isFloat() ? element.id() : "int" + bits + (symmetric ? "-sym" : "-asym");
    }
}
