package dev.flashcomm.tp.comm.engine;

import dev.flashcomm.tp.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * b-bit codes packed LSB-first into {@code uint8}, one group per row: code i's bit k is bit {@code i*b + k} of the
 * row's bit stream, bit p of the stream is bit {@code p % 8} of byte {@code p / 8}; the last byte is zero-padded.
 * That is {@code BitPacker}'s layout, so a row has {@code ceil(len * b / 8)} bytes.
 *
 * <p>DJL has no shifts or bitwise ops, so bits are extracted arithmetically in fp32, where codes and bytes (at most
 * 255) are exact: {@code bit_k(c) = floor(c / 2^k) mod 2}, and a byte is the dot product of its 8 bits with
 * {@code 1, 2, ..., 128}. 8-bit codes are their bytes.
 */
public final class EngineBitPacker {

    private static final int BYTE = 8;

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
        NDManager m = codes.getManager();
        NDArray stream = bitsOf(codes.reshape(n, len, 1), bits, m).reshape(n, (long) len * bits);
        int bytes = rowBytes(len);
        int pad = bytes * BYTE - len * bits;
        if (pad > 0) {
            stream = stream.concat(m.zeros(new ai.djl.ndarray.types.Shape(n, pad)), 1);
        }
        return stream.reshape(n, bytes, BYTE).mul(powersOfTwo(stream, BYTE)).sum(new int[] {2})
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
        NDManager m = asFloat.getManager();
        NDArray stream = bitsOf(asFloat.reshape(n, bytes, 1), BYTE, m).reshape(n, bytes * BYTE);
        return stream.get(":, 0:{}", (long) len * bits).reshape(n, len, bits)
                .mul(powersOfTwo(stream, bits)).sum(new int[] {2});
    }

    /** {@code [.., 1]} integers to their low {@code width} bits {@code [.., width]}, LSB first. */
    private static NDArray bitsOf(NDArray values, int width, NDManager m) {
        // dividing by a power of two is exact whether the engine divides or multiplies by the reciprocal
        return values.div(powersOfTwo(values, width)).floor().mod(Scalars.of(values, 2, DataType.FLOAT32));
    }

    /** {@code [1, .., 2^(width-1)]} in fp32 on {@code like}'s device, made there (integer pow is exact). */
    private static NDArray powersOfTwo(NDArray like, int width) {
        NDArray k = like.getManager().arange(0, width, 1, DataType.INT32);
        k = k.getDevice().equals(like.getDevice()) ? k : k.toDevice(like.getDevice(), false);
        return Scalars.of(k, 2, DataType.INT32).pow(k).toType(DataType.FLOAT32, false);
    }
}
