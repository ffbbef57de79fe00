package dev.flashcomm.quant;

/**
 * One group at a time, every format {@link GroupQuantizer}'s vectorized integer loops do not cover: float elements,
 * any scale dtype, and spike reserving (integer formats too). Plain scalar Java, written to be read against the
 * doc: each value is computed by one fp32 expression shared by the fake and the packed path, which is what makes
 * them bit-identical.
 *
 * <p>Per group of length L:
 * <ol>
 *   <li>spikes (optional): {@code iMax} and {@code iMin}, the first positions of the max and the min. The group's
 *       statistics are then taken over the other elements: each spike position is replaced by the first element
 *       among positions 0, 1, 2 that is no spike (by 0 when L <= 2, where every element is a spike);</li>
 *   <li>scale: integer asym {@code mn = R16(min)}, {@code s = R16((max - mn) / qmax)}; integer sym
 *       {@code s = R16(max|x| / qmax)}; float {@code s = round_scale(max|x| / fmax)}; 0 becomes 1;</li>
 *   <li>values: integer asym {@code rint(clamp((x - mn) / s, 0, qmax)) * s + mn}; integer sym
 *       {@code (rint(clamp(x / s, ±qmax)) + 0) * s} (the +0 makes a -0 level +0); float
 *       {@code Q(clamp(x / s, ±fmax)) * s} with Q the element's nearest-even rounding (a -0 stays -0);</li>
 *   <li>spikes: positions iMin and iMax get {@code R16(x)}.</li>
 * </ol>
 *
 * <p>Packed group: scale in its dtype (little-endian), fp16 min (asym), then with spikes the fp16 max value, the fp16
 * min value, the max position and the min position (1 byte each for groups up to 256, else 2, little-endian), then
 * the codes LSB-first ({@link BitPacker}): asym level, sym level + qmax, or the float element's bit pattern. Codes of
 * spike positions are stored too (computed from the clamped value) and ignored when decoding.
 */
final class GroupCodec {

    private final QuantSpec spec;
    private final ElementType element;
    private final boolean symmetric;
    private final int qmax;
    private final float qmaxF;
    private final float fmax;

    GroupCodec(QuantSpec spec) {
        this.spec = spec;
        this.element = spec.element();
        this.symmetric = spec.symmetric();
        this.qmax = element.isFloat() ? 0 : spec.qmax();
        this.qmaxF = qmax;
        this.fmax = element.isFloat() ? element.fmax() : 0f;
    }

    /** The statistics of one group: scale, min (asym integers; else 0) and spike positions (-1 without). */
    private record Params(float scale, float min, int iMax, int iMin) {
    }

    private Params params(float[] x, int from, int len) {
        int iMax = -1;
        int iMin = -1;
        float neutral = 0f;
        if (spec.spikes()) {
            iMax = 0;
            iMin = 0;
            for (int i = 1; i < len; i++) {
                if (x[from + i] > x[from + iMax]) {
                    iMax = i;
                }
                if (x[from + i] < x[from + iMin]) {
                    iMin = i;
                }
            }
            if (len > 2) {
                int j = 0;
                while (j == iMax || j == iMin) {
                    j++;
                }
                neutral = x[from + j];
            }
        }
        if (element.isFloat() || symmetric) {
            float maxAbs = 0f;
            for (int i = 0; i < len; i++) {
                maxAbs = Math.max(maxAbs, Math.abs(stat(x, from, i, iMax, iMin, neutral, len)));
            }
            if (element.isFloat()) {
                return new Params(spec.scaleType().round(maxAbs / fmax), 0f, iMax, iMin);
            }
            float a = Half.r16(maxAbs / qmaxF);
            return new Params(a == 0f ? 1f : a, 0f, iMax, iMin);
        }
        float lo = stat(x, from, 0, iMax, iMin, neutral, len);
        float hi = lo;
        for (int i = 1; i < len; i++) {
            float v = stat(x, from, i, iMax, iMin, neutral, len);
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        float mn = Half.r16(lo);
        float s = Half.r16((hi - mn) / qmaxF);
        return new Params(s == 0f ? 1f : s, mn, iMax, iMin);
    }

    /** The value the statistics see at position i: x, or the neutral value at a spike (0 when all are spikes). */
    private static float stat(float[] x, int from, int i, int iMax, int iMin, float neutral, int len) {
        if (i == iMax || i == iMin) {
            return neutral;
        }
        return x[from + i];
    }

    /** The reconstructed value of x under p (spikes not applied). */
    private float value(float x, Params p) {
        if (element.isFloat()) {
            return element.round(x / p.scale) * p.scale;
        }
        if (symmetric) {
            float level = (float) Math.rint(Math.min(Math.max(x / p.scale, -qmaxF), qmaxF)) + 0f;
            return level * p.scale;
        }
        float level = (float) Math.rint(Math.min(Math.max((x - p.min) / p.scale, 0f), qmaxF));
        return level * p.scale + p.min;
    }

    /** The code of x under p. */
    private int code(float x, Params p) {
        if (element.isFloat()) {
            return element.encode(element.round(x / p.scale));
        }
        if (symmetric) {
            return (int) Math.rint(Math.min(Math.max(x / p.scale, -qmaxF), qmaxF)) + qmax;
        }
        return (int) Math.rint(Math.min(Math.max((x - p.min) / p.scale, 0f), qmaxF));
    }

    /** Writes (or, with add, adds) QDQ of {@code src[from .. from+len)} into {@code dst} at the same positions. */
    void qdqGroup(float[] src, float[] dst, int from, int len, boolean add) {
        Params p = params(src, from, len);
        float[] v = new float[len];
        for (int i = 0; i < len; i++) {
            v[i] = value(src[from + i], p);
        }
        if (spec.spikes()) {
            v[p.iMax] = Half.r16(src[from + p.iMax]);
            v[p.iMin] = Half.r16(src[from + p.iMin]);
        }
        for (int i = 0; i < len; i++) {
            dst[from + i] = add ? dst[from + i] + v[i] : v[i];
        }
    }

    /** Writes one packed group at {@code pos}; returns the position after it. */
    int encodeGroup(float[] x, int from, int len, byte[] out, int pos) {
        Params p = params(x, from, len);
        pos = writeScale(out, pos, p.scale);
        if (!symmetric) {
            pos = writeLe(out, pos, Half.toFp16Bits(p.min) & 0xffff, 2);
        }
        if (spec.spikes()) {
            pos = writeLe(out, pos, Half.toFp16Bits(x[from + p.iMax]) & 0xffff, 2);
            pos = writeLe(out, pos, Half.toFp16Bits(x[from + p.iMin]) & 0xffff, 2);
            pos = writeLe(out, pos, p.iMax, spec.spikeIndexBytes());
            pos = writeLe(out, pos, p.iMin, spec.spikeIndexBytes());
        }
        int[] codes = new int[len];
        for (int i = 0; i < len; i++) {
            codes[i] = code(x[from + i], p);
        }
        BitPacker.pack(codes, 0, len, spec.bits(), out, pos);
        return pos + BitPacker.packedBytes(len, spec.bits());
    }

    /** Decodes the group at {@code pos} into {@code values[0 .. len)}; returns the position after it. */
    int decodeGroup(byte[] in, int pos, int len, float[] values) {
        float scale;
        switch (spec.scaleType()) {
            case FP16 -> scale = Half.fromFp16Bits((short) readLe(in, pos, 2));
            case FP32 -> scale = Float.intBitsToFloat(readLe(in, pos, 4));
            default -> scale = ScaleType.e8m0Value(readLe(in, pos, 1));
        }
        pos += spec.scaleType().bytes();
        float mn = 0f;
        if (!symmetric) {
            mn = Half.fromFp16Bits((short) readLe(in, pos, 2));
            pos += 2;
        }
        float maxValue = 0f;
        float minValue = 0f;
        int iMax = -1;
        int iMin = -1;
        if (spec.spikes()) {
            maxValue = Half.fromFp16Bits((short) readLe(in, pos, 2));
            minValue = Half.fromFp16Bits((short) readLe(in, pos + 2, 2));
            pos += 4;
            iMax = readLe(in, pos, spec.spikeIndexBytes());
            iMin = readLe(in, pos + spec.spikeIndexBytes(), spec.spikeIndexBytes());
            pos += 2 * spec.spikeIndexBytes();
        }
        int[] codes = new int[len];
        pos = BitPacker.unpackUnchecked(in, pos, len, spec.bits(), codes);
        for (int i = 0; i < len; i++) {
            if (element.isFloat()) {
                values[i] = element.decode(codes[i]) * scale;
            } else if (symmetric) {
                values[i] = (codes[i] - qmax) * scale;
            } else {
                values[i] = codes[i] * scale + mn;
            }
        }
        if (spec.spikes()) {
            values[iMax] = maxValue;
            values[iMin] = minValue;
        }
        return pos;
    }

    private int writeScale(byte[] out, int pos, float scale) {
        return switch (spec.scaleType()) {
            case FP16 -> writeLe(out, pos, Half.toFp16Bits(scale) & 0xffff, 2);
            case FP32 -> writeLe(out, pos, Float.floatToRawIntBits(scale), 4);
            case E8M0 -> writeLe(out, pos, ScaleType.e8m0Code(scale), 1);
        };
    }

    private static int writeLe(byte[] out, int pos, int value, int bytes) {
        for (int b = 0; b < bytes; b++) {
            out[pos + b] = (byte) (value >>> (8 * b));
        }
        return pos + bytes;
    }

    private static int readLe(byte[] in, int pos, int bytes) {
        int v = 0;
        for (int b = 0; b < bytes; b++) {
            v |= (in[pos + b] & 0xff) << (8 * b);
        }
        return v;
    }
}
