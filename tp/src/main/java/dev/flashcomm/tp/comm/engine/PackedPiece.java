package dev.flashcomm.tp.comm.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;

/**
 * Packed groups of one length, as device buffers: {@code codes} {@code uint8 [n, ceil(length*b/8)]}, {@code scale}
 * fp16 {@code [n, 1]} and, for asymmetric formats, {@code min} fp16 {@code [n, 1]} (null when symmetric). These
 * are the bytes that travel; {@link #byteSize()} counts them from the buffers themselves.
 */
public record PackedPiece(NDArray codes, NDArray scale, NDArray min, int length) {

    /** Bytes of the three buffers, from their shapes and dtypes. */
    public long byteSize() {
        return bytes(codes) + bytes(scale) + (min == null ? 0 : bytes(min));
    }

    public long groupCount() {
        return codes.getShape().get(0);
    }

    /** Groups {@code [from, to)} of this piece (views). */
    public PackedPiece rows(long from, long to) {
        return new PackedPiece(codes.get("{}:{}", from, to), scale.get("{}:{}", from, to),
                min == null ? null : min.get("{}:{}", from, to), length);
    }

    /** The same buffers on {@code device}: a device-to-device copy unless already there. */
    public PackedPiece moveTo(Workspace ws, Device device) {
        return new PackedPiece(ws.moveTo(codes, device), ws.moveTo(scale, device),
                min == null ? null : ws.moveTo(min, device), length);
    }

    private static long bytes(NDArray a) {
        return a.getShape().size() * a.getDataType().getNumOfBytes();
    }
}
