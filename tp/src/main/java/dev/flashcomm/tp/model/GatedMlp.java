package dev.flashcomm.tp.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.flashcomm.tp.kernels.FusedKernels;

/**
 * One rank's shard of a SiLU-gated MLP, {@code down(silu(gate·x) * up·x)}: a dense layer's MLP, one routed expert
 * or the shared expert. gate and up are fused into one {@code [H, 2·columns]} matrix (one GEMM instead of two),
 * down is {@code [columns, H]}; every weight is stored {@code [in, out]} so the activation is the first operand and
 * the result belongs to its manager.
 */
final class GatedMlp {

    private final NDArray wGateUp;
    private final NDArray bGateUp;
    private final NDArray wDown;
    private final int columns;

    GatedMlp(NDArray wGateUp, NDArray bGateUp, NDArray wDown, int columns) {
        this.wGateUp = wGateUp;
        this.bGateUp = bGateUp;
        this.wDown = wDown;
        this.columns = columns;
    }

    NDArray gateUp() {
        return wGateUp;
    }

    NDArray down() {
        return wDown;
    }

    /**
     * This shard's output {@code [.., H]} (the down_proj bias not included: a row-parallel bias is added once,
     * after the reduction), as one fused call when {@code kernels} is not null.
     */
    NDArray apply(NDArray x, FusedKernels kernels) {
        if (kernels != null) {
            return kernels.mlpPartial(x, wGateUp, bGateUp, columns, wDown);
        }
        NDArray gateUp = x.matMul(wGateUp);
        if (bGateUp != null) {
            gateUp = gateUp.add(bGateUp);
        }
        NDArray gate = gateUp.get("..., 0:" + columns);
        NDArray up = gateUp.get("..., " + columns + ":" + (2 * columns));
        return gate.mul(Activation.sigmoid(gate)).mul(up).matMul(wDown);
    }
}
