package dev.flashcomm.quant;

import java.util.Objects;

/**
 * Packs unsigned b-bit codes (b = 2..8) into bytes, LSB-first: code i occupies bits {@code [i*b, (i+1)*b)} of the
 * little-endian bit stream, so for b = 3, 5, 6, 7 a code may straddle two bytes. The final byte is zero-padded.
 */
public final class BitPacker {

    private BitPacker() {
    }

    /** Bytes needed for {@code count} codes of {@code bits} bits: {@code ceil(count * bits / 8)}. */
    public static int packedBytes(int count, int bits) {
        requireBits(bits);
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
        return Math.toIntExact(((long) count * bits + 7) / 8);
    }

    /**
     * Writes {@code codes[from .. from+count)} to {@code out} starting at {@code outOffset}; writes exactly
     * {@link #packedBytes(int, int)} bytes.
     *
     * @throws IllegalArgumentException if a code does not fit in {@code bits} bits
     */
    public static void pack(int[] codes, int from, int count, int bits, byte[] out, int outOffset) {
        int bytes = packedBytes(count, bits);
        Objects.checkFromIndexSize(from, count, codes.length);
        Objects.checkFromIndexSize(outOffset, bytes, out.length);
        for (int i = from; i < from + count; i++) {
            if ((codes[i] >>> bits) != 0) {
                throw new IllegalArgumentException("code " + codes[i] + " at index " + i + " does not fit in " + bits + " bits");
            }
        }
        // carry the codes as raw fp32 bit patterns (base 0) so there is one packing routine
        float[] asBits = new float[count];
        for (int i = 0; i < count; i++) {
            asBits[i] = Float.intBitsToFloat(codes[from + i]);
        }
        packLevels(asBits, count, bits, 0, out, outOffset);
    }

    /** Reads {@code count} codes of {@code bits} bits from {@code in} at {@code inOffset} into {@code codes[to ..]}. */
    public static void unpack(byte[] in, int inOffset, int count, int bits, int[] codes, int to) {
        int bytes = packedBytes(count, bits);
        Objects.checkFromIndexSize(inOffset, bytes, in.length);
        Objects.checkFromIndexSize(to, count, codes.length);
        if (to == 0) {
            unpackUnchecked(in, inOffset, count, bits, codes);
        } else {
            int[] window = new int[count];
            unpackUnchecked(in, inOffset, count, bits, window);
            System.arraycopy(window, 0, codes, to, count);
        }
    }

    /**
     * Packs codes held as fp32 bit patterns: code i is {@code floatToRawIntBits(levels[i]) - base}, trusted to fit in
     * {@code bits} bits; returns the offset after the last byte. The quantizer's levels are floats whose low mantissa
     * bits are the code, so reading them here saves it a conversion pass. Eight codes of b bits are exactly b bytes,
     * so the general case works in blocks of eight through a long, with no per-code branch; 8- and 4-bit codes, the
     * common widths, get byte and nibble loops.
     */
    static int packLevels(float[] levels, int count, int bits, int base, byte[] out, int pos) {
        if (bits == 8) {
            for (int i = 0; i < count; i++) {
                out[pos + i] = (byte) (Float.floatToRawIntBits(levels[i]) - base);
            }
            return pos + count;
        }
        if (bits == 4) {
            int pairs = count >>> 1;
            for (int k = 0; k < pairs; k++) {
                int low = Float.floatToRawIntBits(levels[2 * k]) - base;
                int high = Float.floatToRawIntBits(levels[2 * k + 1]) - base;
                out[pos + k] = (byte) (low | high << 4);
            }
            if ((count & 1) != 0) {
                out[pos + pairs] = (byte) (Float.floatToRawIntBits(levels[count - 1]) - base);
                return pos + pairs + 1;
            }
            return pos + pairs;
        }
        // a literal width lets the JIT fold the shifts once the helper is inlined
        return switch (bits) {
            case 2 -> packBlocks(levels, count, 2, base, out, pos);
            case 3 -> packBlocks(levels, count, 3, base, out, pos);
            default -> packBlocks(levels, count, bits, base, out, pos);
        };
    }

    private static int packBlocks(float[] levels, int count, int bits, int base, byte[] out, int pos) {
        int whole = count & ~7;
        for (int i = 0; i < whole; i += 8) {
            long block = 0;
            for (int k = 0; k < 8; k++) {
                block |= (long) (Float.floatToRawIntBits(levels[i + k]) - base) << (k * bits);
            }
            for (int j = 0; j < bits; j++) {
                out[pos++] = (byte) (block >>> (8 * j));
            }
        }
        int rest = count - whole;
        if (rest > 0) {
            long block = 0;
            for (int k = 0; k < rest; k++) {
                block |= (long) (Float.floatToRawIntBits(levels[whole + k]) - base) << (k * bits);
            }
            int bytes = (rest * bits + 7) >>> 3;
            for (int j = 0; j < bytes; j++) {
                out[pos++] = (byte) (block >>> (8 * j));
            }
        }
        return pos;
    }

    /** Unpacks {@code count} codes into {@code codes[0 .. count)}; returns the offset after the last byte read. */
    static int unpackUnchecked(byte[] in, int pos, int count, int bits, int[] codes) {
        if (bits == 8) {
            for (int i = 0; i < count; i++) {
                codes[i] = in[pos + i] & 0xff;
            }
            return pos + count;
        }
        if (bits == 4) {
            int pairs = count >>> 1;
            for (int k = 0; k < pairs; k++) {
                int b = in[pos + k];
                codes[2 * k] = b & 0xf;
                codes[2 * k + 1] = (b >>> 4) & 0xf;
            }
            if ((count & 1) != 0) {
                codes[count - 1] = in[pos + pairs] & 0xf;
                return pos + pairs + 1;
            }
            return pos + pairs;
        }
        return switch (bits) {
            case 2 -> unpackBlocks(in, pos, count, 2, codes);
            case 3 -> unpackBlocks(in, pos, count, 3, codes);
            default -> unpackBlocks(in, pos, count, bits, codes);
        };
    }

    private static int unpackBlocks(byte[] in, int pos, int count, int bits, int[] codes) {
        int mask = (1 << bits) - 1;
        int whole = count & ~7;
        for (int i = 0; i < whole; i += 8) {
            long block = 0;
            for (int j = 0; j < bits; j++) {
                block |= (in[pos++] & 0xffL) << (8 * j);
            }
            for (int k = 0; k < 8; k++) {
                codes[i + k] = (int) (block >>> (k * bits)) & mask;
            }
        }
        int rest = count - whole;
        if (rest > 0) {
            long block = 0;
            int bytes = (rest * bits + 7) >>> 3;
            for (int j = 0; j < bytes; j++) {
                block |= (in[pos++] & 0xffL) << (8 * j);
            }
            for (int k = 0; k < rest; k++) {
                codes[whole + k] = (int) (block >>> (k * bits)) & mask;
            }
        }
        return pos;
    }

    private static void requireBits(int bits) {
        if (bits < QuantSpec.MIN_BITS || bits > QuantSpec.MAX_BITS) {
            throw new IllegalArgumentException("bits must be " + QuantSpec.MIN_BITS + ".." + QuantSpec.MAX_BITS + ", got " + bits);
        }
    }
}
