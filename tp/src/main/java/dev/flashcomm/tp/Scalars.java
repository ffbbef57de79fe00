package dev.flashcomm.tp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * 0-d constants made on the device by a fill kernel. DJL's {@code add(Number)}, {@code clip(Number, Number)} and
 * {@code create(Number)} copy the number from host memory, and a copy from pageable host memory to a GPU waits for
 * everything queued on the stream: one such op per layer or per all-reduce serializes the host and the GPU. Hot
 * paths use these instead.
 */
public final class Scalars {

    private Scalars() {
    }

    /** {@code value} as a 0-d array of {@code like}'s dtype, on {@code like}'s device, owned by its manager. */
    public static NDArray of(NDArray like, double value) {
        return of(like, value, like.getDataType());
    }

    /** {@code value} as a 0-d array of {@code type}, on {@code like}'s device, owned by its manager. */
    public static NDArray of(NDArray like, double value, DataType type) {
        NDManager m = like.getManager();
        NDArray s = m.full(new Shape(), (float) value, type);
        return s.getDevice().equals(like.getDevice()) ? s : s.toDevice(like.getDevice(), false);
    }
}
