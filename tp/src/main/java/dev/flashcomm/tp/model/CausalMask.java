package dev.flashcomm.tp.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The causal attention mask: 0 where a query may see a key (at or before its position), -inf after it. Built by the
 * engine for a block of query rows, so a long window never needs the whole {@code [L, L]} mask: at L = 50,000 that
 * would be 10 GB of fp32 on top of the blocked attention that exists to avoid such sizes.
 */
final class CausalMask {

    private CausalMask() {
    }

    /** Rows {@code [q0, q1)} of the {@code [len, len]} mask, {@code [q1 - q0, len]} of {@code type}. */
    static NDArray rows(NDManager manager, long q0, long q1, long len, DataType type) {
        NDArray rows = manager.arange((int) q0, (int) q1, 1, DataType.INT32).reshape(q1 - q0, 1);
        NDArray cols = manager.arange(0, (int) len, 1, DataType.INT32).reshape(1, len);
        NDArray future = cols.gt(rows);
        Shape block = new Shape(q1 - q0, len);
        NDArray mask = NDArrays.where(future, manager.full(block, Float.NEGATIVE_INFINITY), manager.zeros(block));
        return type == DataType.FLOAT32 ? mask : mask.toType(type, false);
    }
}
