package dev.flashcomm.tp.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.tp.checkpoint.CheckpointException;
import dev.flashcomm.tp.checkpoint.StoredTensor;
import dev.flashcomm.tp.checkpoint.StoredType;

/**
 * Turns the staged chunks of a {@link HostStream} into whole tensors on a device, in the compute dtype, each
 * owning its own memory (never the staging buffer), and reports progress after each tensor.
 */
final class TensorUploader {

    private final HostStream in;
    private final DataType computeType;
    private final LoadListener listener;
    private final long bytesTotal;
    private long bytesDone;

    TensorUploader(HostStream in, DataType computeType, LoadListener listener, long bytesTotal) {
        this.in = in;
        this.computeType = computeType;
        this.listener = listener;
        this.bytesTotal = bytesTotal;
    }

    /** The next tensor of the stream, which must be {@code name}, on {@code owner}'s device and owned by it. */
    NDArray next(String name, NDManager owner) {
        return next(name, owner, computeType);
    }

    /** As {@link #next(String, NDManager)}, in {@code type} instead of the compute dtype (the router: fp32). */
    NDArray next(String name, NDManager owner, DataType type) {
        NDList parts = new NDList();
        StoredTensor source;
        boolean last;
        try {
            do {
                HostStream.Chunk c = in.next();
                source = c.source();
                if (!source.name().equals(name)) {
                    throw new IllegalStateException("load order broken: expected " + name + ", got " + source.name());
                }
                try {
                    parts.add(upload(c, owner, type));
                } finally {
                    in.release(c); // the engine has its own copy now
                }
                last = c.last();
            } while (!last);
        } catch (RuntimeException e) {
            parts.close();
            throw e;
        }
        NDArray full;
        if (parts.size() == 1) {
            full = parts.get(0);
        } else {
            full = NDArrays.concat(parts, 0); // a fresh tensor; the chunks are freed next
            parts.close();
        }
        requireFinite(full, source, type);
        bytesDone += source.storedBytes();
        listener.tensorLoaded(name, bytesDone, bytesTotal);
        return full;
    }

    /**
     * A NaN or Inf weight would surface layers later as a NaN activation naming no tensor; one reduction per
     * tensor, on its device, names it now. The max of |x| is NaN or Inf exactly when some element is.
     */
    private void requireFinite(NDArray full, StoredTensor source, DataType type) {
        float worst;
        try (NDArray abs = full.abs(); NDArray max = abs.max(); NDArray f32 = max.toType(DataType.FLOAT32, false)) {
            worst = f32.getFloat();
        }
        if (!Float.isFinite(worst)) {
            full.close();
            throw new CheckpointException(source.file(), "tensor '" + source.name() + "' holds "
                    + (Float.isNaN(worst) ? "NaN" : "infinite") + " values"
                    + (type == DataType.FLOAT16 && source.type() != StoredType.F16
                    ? " once converted to fp16 (a weight beyond ±65504 overflows it; try --dtype fp32)" : ""));
        }
    }

    private NDArray upload(HostStream.Chunk c, NDManager owner, DataType type) {
        long[] shape = c.source().shape();
        if (shape.length > 0) {
            shape[0] = c.rowTo() - c.rowFrom();
        }
        DataType staged = c.source().type().stagedAsFp16() ? DataType.FLOAT16 : DataType.FLOAT32;
        // a direct buffer goes to the engine without a Java-side copy (NDManager.create checks isDirect)
        NDArray raw = owner.create(c.data(), new Shape(shape), staged);
        NDArray own;
        if (staged != type) {
            own = raw.toType(type, false); // F16 widened, or fp32 narrowed, on the device
        } else if (!raw.getDevice().isGpu()) {
            own = raw.duplicate(); // on the CPU the engine wraps the buffer itself, which we are about to reuse
        } else {
            return raw; // copying to a GPU already left the buffer behind
        }
        raw.close();
        return own;
    }
}
