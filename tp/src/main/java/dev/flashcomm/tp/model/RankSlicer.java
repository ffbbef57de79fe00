package dev.flashcomm.tp.model;

import static dev.flashcomm.tp.checkpoint.TensorRole.*;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.flashcomm.tp.checkpoint.ModelConfig;
import dev.flashcomm.tp.checkpoint.MoeSpec;

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
    RankLayer build(ShardPlan plan, ShardPlan.RankSlice s, LayerTensors t, NDManager scratchParent, Device device,
                    NDManager owner, int layer) {
        int d = config.headDim();
        String q = s.headFrom() * d + ":" + s.headTo() * d;
        String kv = s.kvFrom() * d + ":" + s.kvTo() * d;
        try (NDManager scratch = scratchParent.newSubManager()) {
            NDArray wQkv = transposedCopy(NDArrays.concat(new NDList(rows(t.get(Q), q, scratch),
                    rows(t.get(K), kv, scratch), rows(t.get(V), kv, scratch)), 0));
            NDArray bQkv = t.get(Q_BIAS) == null ? null : NDArrays.concat(new NDList(rows(t.get(Q_BIAS), q, scratch),
                    rows(t.get(K_BIAS), kv, scratch), rows(t.get(V_BIAS), kv, scratch)), 0);
            NDArray wo = transposedCopy(t.get(O).get(scratch, new NDIndex(":, " + q)));
            NDArray qNorm = t.get(Q_NORM) == null ? null : rows(t.get(Q_NORM), ":", scratch).duplicate();
            NDArray kNorm = t.get(K_NORM) == null ? null : rows(t.get(K_NORM), ":", scratch).duplicate();
            GatedMlp mlp = null;
            RankExperts experts = null;
            if (config.sparseLayer(layer)) {
                experts = experts(plan, s.rank(), t, scratch, device, owner);
            } else {
                mlp = gatedMlp(t.get(GATE), t.get(UP), t.get(DOWN), t.get(GATE_BIAS), t.get(UP_BIAS),
                        new int[] {s.mlpFrom(), s.mlpTo()}, scratch, device, owner);
            }
            return new RankLayer(s, config.groupSize(), d, (float) config.rmsNormEps(),
                    place(wQkv, device, owner), place(bQkv, device, owner), place(wo, device, owner),
                    place(qNorm, device, owner), place(kNorm, device, owner), mlp, experts);
        }
    }

    /**
     * A rank's experts: with tensor-parallel experts each expert's (and the shared expert's) balanced column range;
     * with expert parallelism its own experts whole, and the shared expert whole on rank 0 (it runs where the token
     * is and is never communicated, so one copy serves every rank of a one-device simulation).
     */
    private RankExperts experts(ShardPlan plan, int rank, LayerTensors t, NDManager scratch, Device device,
                                NDManager owner) {
        MoeSpec moe = config.moe();
        GatedMlp[] out = new GatedMlp[moe.experts()];
        boolean ep = plan.moeParallel() == MoeParallel.EP;
        for (int e = 0; e < out.length; e++) {
            if (ep && plan.expertOwner(e, moe.experts()) != rank) {
                continue;
            }
            int[] cols = ep ? new int[] {0, moe.expertColumns()} : plan.range(rank, moe.expertColumns());
            out[e] = gatedMlp(t.expert(e, EXPERT_GATE), t.expert(e, EXPERT_UP), t.expert(e, EXPERT_DOWN), null, null,
                    cols, scratch, device, owner);
        }
        GatedMlp shared = null;
        if (moe.hasSharedExpert() && (!ep || rank == 0)) {
            int[] cols = ep ? new int[] {0, moe.sharedColumns()} : plan.range(rank, moe.sharedColumns());
            shared = gatedMlp(t.get(SHARED_GATE), t.get(SHARED_UP), t.get(SHARED_DOWN), null, null, cols, scratch,
                    device, owner);
        }
        return new RankExperts(out, shared);
    }

    /** The shard {@code cols = [from, to)} of a gated MLP: gate/up rows fused, down columns, all {@code [in, out]}. */
    private static GatedMlp gatedMlp(NDArray gate, NDArray up, NDArray down, NDArray bGate, NDArray bUp, int[] cols,
                                     NDManager scratch, Device device, NDManager owner) {
        String range = cols[0] + ":" + cols[1];
        NDArray wGateUp = transposedCopy(NDArrays.concat(new NDList(rows(gate, range, scratch),
                rows(up, range, scratch)), 0));
        NDArray bGateUp = bGate == null ? null : NDArrays.concat(new NDList(rows(bGate, range, scratch),
                rows(bUp, range, scratch)), 0);
        NDArray wDown = transposedCopy(down.get(scratch, new NDIndex(":, " + range)));
        return new GatedMlp(place(wGateUp, device, owner), place(bGateUp, device, owner),
                place(wDown, device, owner), cols[1] - cols[0]);
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
