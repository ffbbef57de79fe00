package dev.flashcomm.tp.comm.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;

/**
 * Packed groups of one length, as device buffers: {@code codes} {@code uint8 [n, ceil(length*b/8)]}, {@code scale}
 * {@code [n, 1]} in the scale dtype (fp16, fp32, or e8m0 codes as uint8), for asymmetric integer formats
 * {@code min} fp16 {@code [n, 1]}, and with spike reserving {@code spikeValues} fp16 {@code [n, 2]} (max, min) and
 * {@code spikeIndex} uint8 {@code [n, 2]} or {@code [n, 4]} (positions, one or two bytes each); absent parts are
 * null. These are the bytes that travel; {@link #byteSize()} counts them from the buffers themselves.
 */
public record PackedPiece(NDArray codes, NDArray scale, NDArray min, NDArray spikeValues, NDArray spikeIndex,
                          int length) {

    /** A piece without spikes. */
    public PackedPiece(NDArray codes, NDArray scale, NDArray min, int length) {
        this(codes, scale, min, null, null, length);
    }

    /** Bytes of the buffers, from their shapes and dtypes. */
    public long byteSize() {
        return bytes(codes) + bytes(scale) + bytes(min) + bytes(spikeValues) + bytes(spikeIndex);
    }

    public long groupCount() {
        return codes.getShape().get(0);
    }

    /** Groups {@code [from, to)} of this piece (views). */
    public PackedPiece rows(long from, long to) {
        return new PackedPiece(rowsOf(codes, from, to), rowsOf(scale, from, to), rowsOf(min, from, to),
                rowsOf(spikeValues, from, to), rowsOf(spikeIndex, from, to), length);
    }

    /** The same buffers on {@code device}: a device-to-device copy unless already there. */
    public PackedPiece moveTo(Workspace ws, Device device) {
        return new PackedPiece(ws.moveTo(codes, device), ws.moveTo(scale, device), move(ws, min, device),
                move(ws, spikeValues, device), move(ws, spikeIndex, device), length);
    }

    private static NDArray rowsOf(NDArray a, long from, long to) {
        return a == null ? null : a.get("{}:{}", from, to);
    }

    private static NDArray move(Workspace ws, NDArray a, Device device) {
        return a == null ? null : ws.moveTo(a, device);
    }

    private static long bytes(NDArray a) {
        return a == null ? 0 : a.getShape().size() * a.getDataType().getNumOfBytes();
    }
}
