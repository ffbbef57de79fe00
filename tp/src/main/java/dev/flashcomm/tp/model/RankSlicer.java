package dev.flashcomm.tp.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.tp.checkpoint.ModelConfig;

/**
 * Cuts one rank's weights out of a layer's full tensors with engine ops, in the layout {@link RankLayer} expects:
 * q/k/v row slices fused, gate/up row slices fused, o/down column slices, all transposed to {@code [in, out]} and
 * contiguous. Every result owns its own storage: a slice or transpose of the full tensor is only a view that would
 * keep the whole full tensor alive (and, for PyTorch, a transposed view also multiplies in a different order).
 */
final class RankSlicer {

    private final ModelConfig config;

    RankSlicer(ModelConfig config) {
        this.config = config;
    }

    /**
     * Builds rank {@code s}'s layer on {@code device}; its weights are attached to {@code owner} (a manager on that
     * device). Intermediates live on a scratch sub-manager of {@code scratchParent}, closed before returning, so
     * this may run concurrently for different ranks (each call touches only its own scratch and its own owner).
     */
    RankLayer build(ShardPlan.RankSlice s, LayerTensors t, NDManager scratchParent, Device device, NDManager owner) {
        int d = config.headDim();
        String q = s.headFrom() * d + ":" + s.headTo() * d;
        String kv = s.kvFrom() * d + ":" + s.kvTo() * d;
        String mlp = s.mlpFrom() + ":" + s.mlpTo();
        try (NDManager scratch = scratchParent.newSubManager()) {
            NDArray wQkv = transposedCopy(NDArrays.concat(new NDList(rows(t.q(), q, scratch), rows(t.k(), kv, scratch),
                    rows(t.v(), kv, scratch)), 0));
            NDArray bQkv = t.bq() == null ? null : NDArrays.concat(new NDList(rows(t.bq(), q, scratch),
                    rows(t.bk(), kv, scratch), rows(t.bv(), kv, scratch)), 0);
            NDArray wo = transposedCopy(t.o().get(scratch, new NDIndex(":, " + q)));
            NDArray qNorm = t.qNorm() == null ? null : rows(t.qNorm(), ":", scratch).duplicate();
            NDArray kNorm = t.kNorm() == null ? null : rows(t.kNorm(), ":", scratch).duplicate();
            NDArray wGateUp = transposedCopy(NDArrays.concat(new NDList(rows(t.gate(), mlp, scratch),
                    rows(t.up(), mlp, scratch)), 0));
            NDArray bGateUp = t.bGate() == null ? null : NDArrays.concat(new NDList(rows(t.bGate(), mlp, scratch),
                    rows(t.bUp(), mlp, scratch)), 0);
            NDArray wDown = transposedCopy(t.down().get(scratch, new NDIndex(":, " + mlp)));
            return new RankLayer(s, config.groupSize(), d, (float) config.rmsNormEps(),
                    place(wQkv, device, owner), place(bQkv, device, owner), place(wo, device, owner),
                    place(qNorm, device, owner), place(kNorm, device, owner), place(wGateUp, device, owner),
                    place(bGateUp, device, owner), place(wDown, device, owner));
        }
    }

    /** A view of rows {@code range} of {@code full}, owned by {@code scratch}. */
    private static NDArray rows(NDArray full, String range, NDManager scratch) {
        return full.get(scratch, new NDIndex(range));
    }

    /**
     * The transpose of a 2-D array as a contiguous array with its own storage, on the input's manager. Reshaping a
     * strided view to 1-D is what forces PyTorch to copy it; a view with a dimension of 1 is already contiguous, so
     * there reshape would alias the source and {@code duplicate} makes the copy instead.
     */
    static NDArray transposedCopy(NDArray a) {
        Shape s = a.getShape();
        Shape out = new Shape(s.get(1), s.get(0));
        NDArray t = a.transpose();
        if (s.get(0) == 1 || s.get(1) == 1) {
            return t.duplicate().reshape(out);
        }
        return t.reshape(-1).reshape(out);
    }

    /** Moves {@code a} to {@code device} (a copy only if it is elsewhere) and hands it to {@code owner}. */
    private static NDArray place(NDArray a, Device device, NDManager owner) {
        if (a == null) {
            return null;
        }
        NDArray moved = a.toDevice(device, false);
        moved.attach(owner);
        return moved;
    }
}
