package dev.flashcomm.tp.comm.engine;

import dev.flashcomm.tp.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * b-bit codes packed LSB-first into {@code uint8}, one group per row: code i's bit k is bit {@code i*b + k} of the
 * row's bit stream, bit p of the stream is bit {@code p % 8} of byte {@code p / 8}; the last byte is zero-padded.
 * That is {@code BitPacker}'s layout, so a row has {@code ceil(len * b / 8)} bytes.
 *
 * <p>DJL has no shifts or bitwise ops, so codes are combined arithmetically, where every step is exact:
 * <ul>
 *   <li>b divides 8 (1, 2, 4, 8): a byte holds {@code k = 8/b} consecutive codes, {@code byte = Σ c_i·2^(b·i)},
 *       and back {@code c_i = floor(byte / 2^(b·i)) mod 2^b}, in fp32 (values below 256);</li>
 *   <li>b = 3, 5, 6: eight codes are b whole bytes; their 8b-bit value {@code V = Σ c_i·2^(b·i)} (below 2^48) is
 *       exact in fp64, {@code byte_j = floor(V / 2^(8j)) mod 256}, and back the same way;</li>
 *   <li>b = 7: V would need 56 bits, more than fp64 holds exactly, so the bits themselves are spelled out in fp32.</li>
 * </ul>
 * Division by a power of two is exact whether the engine divides or multiplies by the reciprocal, and so is
 * {@code mod} by one. Codes are padded with zeros to whole bytes or units, which gives the zero padding bits.
 */
public final class EngineBitPacker {

    private static final int BYTE = 8;
    /** Codes per unit of whole bytes when b does not divide 8: eight b-bit codes are b bytes. */
    private static final int UNIT = 8;
    /** The widest code whose unit value ({@code 8b} bits) fp64 holds exactly. */
    private static final int MAX_FP64_UNIT_BITS = 6;

    private final int bits;

    public EngineBitPacker(int bits) {
        if (bits < 1 || bits > BYTE) {
            throw new IllegalArgumentException("code width must be 1..8, got " + bits);
        }
        this.bits = bits;
    }

    /** Packed bytes of one row of {@code length} codes. */
    public int rowBytes(int length) {
        return (length * bits + BYTE - 1) / BYTE;
    }

    /** {@code codes}: fp32 integers in {@code [0, 2^b)}, {@code [n, len]}; returns {@code uint8 [n, rowBytes(len)]}. */
    public NDArray pack(NDArray codes) {
        if (bits == BYTE) {
            return codes.toType(DataType.UINT8, false);
        }
        long n = codes.getShape().get(0);
        int len = Math.toIntExact(codes.getShape().get(1));
        int bytes = rowBytes(len);
        if (BYTE % bits == 0) {
            int perByte = BYTE / bits;
            NDArray padded = padColumns(codes, (long) bytes * perByte - len);
            return padded.reshape(n, bytes, perByte).mul(powers(codes, bits, perByte, DataType.FLOAT32))
                    .sum(new int[] {2}).toType(DataType.UINT8, false);
        }
        if (bits <= MAX_FP64_UNIT_BITS) {
            long units = ceilDiv(len, UNIT);
            NDArray wide = padColumns(codes, units * UNIT - len).toType(DataType.FLOAT64, false);
            NDArray value = wide.reshape(n, units, UNIT).mul(powers(wide, bits, UNIT, DataType.FLOAT64))
                    .sum(new int[] {2}, true);
            NDArray unitBytes = digits(value, BYTE, bits).reshape(n, units * bits);
            return trimColumns(unitBytes, bytes).toType(DataType.UINT8, false);
        }
        NDArray stream = digits(codes.reshape(n, len, 1), 1, bits).reshape(n, (long) len * bits);
        stream = padColumns(stream, (long) bytes * BYTE - (long) len * bits);
        return stream.reshape(n, bytes, BYTE).mul(powers(stream, 1, BYTE, DataType.FLOAT32)).sum(new int[] {2})
                .toType(DataType.UINT8, false);
    }

    /** The inverse of {@link #pack}: {@code uint8 [n, rowBytes(len)]} to fp32 codes {@code [n, len]}. */
    public NDArray unpack(NDArray packed, int len) {
        NDArray asFloat = packed.toType(DataType.FLOAT32, false);
        if (bits == BYTE) {
            return asFloat;
        }
        long n = packed.getShape().get(0);
        long bytes = packed.getShape().get(1);
        if (BYTE % bits == 0) {
            int perByte = BYTE / bits;
            NDArray codes = digits(asFloat.reshape(n, bytes, 1), bits, perByte).reshape(n, bytes * perByte);
            return trimColumns(codes, len);
        }
        if (bits <= MAX_FP64_UNIT_BITS) {
            long units = ceilDiv(len, UNIT);
            NDArray wide = padColumns(asFloat, units * bits - bytes).toType(DataType.FLOAT64, false);
            NDArray value = wide.reshape(n, units, bits).mul(powers(wide, BYTE, bits, DataType.FLOAT64))
                    .sum(new int[] {2}, true);
            NDArray codes = digits(value, bits, UNIT).reshape(n, units * UNIT);
            return trimColumns(codes, len).toType(DataType.FLOAT32, false);
        }
        NDArray stream = digits(asFloat.reshape(n, bytes, 1), 1, BYTE).reshape(n, bytes * BYTE);
        return stream.get(":, 0:{}", (long) len * bits).reshape(n, len, bits)
                .mul(powers(stream, 1, bits, DataType.FLOAT32)).sum(new int[] {2});
    }

    /**
     * {@code [.., 1]} non-negative integers to their {@code count} lowest base-{@code 2^width} digits
     * {@code [.., count]}, least significant first: {@code floor(v / 2^(width·i)) mod 2^width}.
     */
    private static NDArray digits(NDArray values, int width, int count) {
        NDArray base = Scalars.of(values, Math.scalb(1.0, width));
        return values.div(powers(values, width, count, values.getDataType())).floor().mod(base);
    }

    /** {@code [2^0, 2^w, ..., 2^(w·(count-1))]} in {@code type} on {@code like}'s device, made there (exact). */
    private static NDArray powers(NDArray like, int width, int count, DataType type) {
        NDManager m = like.getManager();
        NDArray k = m.arange(0, count, 1, DataType.INT32);
        k = k.getDevice().equals(like.getDevice()) ? k : k.toDevice(like.getDevice(), false);
        // 2^(w·k) as (2^w)^k in int64, exact (at most 2^42: 2^(6·7) for 6-bit codes, 2^40 for bytes), then converted
        NDArray base = Scalars.of(k, Math.scalb(1.0, width), DataType.INT64);
        return base.pow(k.toType(DataType.INT64, false)).toType(type, false);
    }

    private static NDArray padColumns(NDArray x, long pad) {
        if (pad == 0) {
            return x;
        }
        Shape s = x.getShape();
        return x.concat(x.getManager().zeros(new Shape(s.get(0), pad), x.getDataType(), x.getDevice()), 1);
    }

    private static NDArray trimColumns(NDArray x, long keep) {
        return x.getShape().get(1) == keep ? x : x.get(":, 0:{}", keep);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
