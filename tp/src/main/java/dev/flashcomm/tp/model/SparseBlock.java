package dev.flashcomm.tp.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.flashcomm.tp.checkpoint.MoeSpec;
import dev.flashcomm.tp.kernels.FusedKernels;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The replicated part of one sparse mixture-of-experts layer, and its forward (docs/flash-allreduce.md, section
 * "Mixture-of-experts layers"): the router (kept in fp32 whatever the compute dtype, as transformers and vLLM keep
 * the routing softmax), the shared expert's sigmoid gate, and the grouping of tokens by expert so that each expert
 * runs one matmul over all of its tokens, never a loop over tokens.
 */
final class SparseBlock {

    private final MoeSpec spec;
    /** {@code [H, E]} fp32 on the primary device. */
    private final NDArray router;
    /** {@code [H, 1]} in the compute dtype on the primary device, or null without a shared expert. */
    private final NDArray sharedGate;

    SparseBlock(MoeSpec spec, NDArray router, NDArray sharedGate) {
        this.spec = spec;
        this.router = router;
        this.sharedGate = sharedGate;
    }

    MoeSpec spec() {
        return spec;
    }

    /**
     * Routes every token of {@code xn [B, L, H]}: fp32 logits and softmax on the device, top-k on the host (one
     * read of {@code [T, E]} probabilities per layer).
     */
    Routing route(NDArray xn) {
        Shape s = xn.getShape();
        int tokens = Math.toIntExact(s.get(0) * s.get(1));
        float[] probs;
        try (NDManager scope = xn.getManager().newSubManager()) {
            NDArray wide = xn.toType(DataType.FLOAT32, true);
            scope.tempAttachAll(wide);
            NDArray p = wide.reshape(tokens, s.get(2)).matMul(router).softmax(-1);
            probs = p.toFloatArray();
        }
        return Routing.of(probs, tokens, spec.experts(), spec.topK(), spec.renormalize());
    }

    /**
     * The sigmoid gate of the shared expert per token, {@code [T, 1]} in the compute dtype on {@code xn}'s manager,
     * or null when the family has no shared expert.
     */
    NDArray sharedGate(NDArray xFlat) {
        return sharedGate == null ? null : Activation.sigmoid(xFlat.matMul(sharedGate));
    }

    /**
     * The index arrays one device needs to run its experts over a routing: which token each expert-ordered row
     * comes from, each row's weight, and where each (token, slot) pair sits in the expert order.
     */
    record DeviceRouting(NDArray rowTokens, NDArray rowWeights, NDArray pairPositions, int[] counts) {
    }

    /** The routing's index arrays on every distinct device, on {@code owner}-derived managers of that device. */
    static Map<Device, DeviceRouting> onDevices(Routing routing, List<Device> devices, NDManager owner,
                                                DataType computeType) {
        int[] order = routing.order();
        long[] rowTokens = new long[order.length];
        float[] rowWeights = new float[order.length];
        long[] positions = new long[order.length];
        for (int i = 0; i < order.length; i++) {
            int pair = order[i];
            rowTokens[i] = pair / routing.topK();
            rowWeights[i] = routing.weight()[pair];
            positions[pair] = i;
        }
        int[] counts = routing.counts();
        Map<Device, DeviceRouting> out = new LinkedHashMap<>();
        for (Device d : devices) {
            out.computeIfAbsent(d, dev -> {
                NDArray tok = owner.create(rowTokens).toDevice(dev, false);
                NDArray w = owner.create(rowWeights, new Shape(order.length, 1)).toDevice(dev, false)
                        .toType(computeType, false);
                NDArray pos = owner.create(positions).toDevice(dev, false);
                return new DeviceRouting(tok, w, pos, counts);
            });
        }
        return out;
    }

    /**
     * One rank's partial {@code [T, H]} with tensor-parallel experts: every routed expert's shard over its tokens,
     * weighted, summed per token over its k experts, plus the gated shared expert's shard.
     *
     * @param xFlat {@code [T, H]} normed input on the rank's device
     * @param gate  the shared expert's gate {@code [T, 1]} on the rank's device, or null
     */
    static NDArray tensorParallelPartial(NDArray xFlat, DeviceRouting r, RankExperts experts, NDArray gate, int topK,
                                         FusedKernels kernels) {
        long tokens = xFlat.getShape().get(0);
        long hidden = xFlat.getShape().get(1);
        NDArray y = kernels != null ? fusedExperts(xFlat, r, experts, topK, kernels)
                : routedExperts(xFlat, r, experts, topK, tokens, hidden);
        if (experts.shared() != null) {
            y = y.add(experts.shared().apply(xFlat, kernels).mul(gate));
        }
        return y;
    }

    /** The routed experts as one fused call (the GPU path: one JNI crossing per layer and rank, not per expert). */
    private static NDArray fusedExperts(NDArray xFlat, DeviceRouting r, RankExperts experts, int topK,
                                        FusedKernels kernels) {
        int all = experts.experts().length;
        return kernels.moeExperts(xFlat, r.rowTokens(), r.rowWeights(), r.pairPositions(), r.counts(),
                experts.gateUps(0, all), experts.downs(0, all), topK);
    }

    /** The routed experts as DJL ops, one expert at a time. */
    private static NDArray routedExperts(NDArray xFlat, DeviceRouting r, RankExperts experts, int topK, long tokens,
                                        long hidden) {
        NDArray rows = xFlat.get(new NDIndex("{}", r.rowTokens()));
        NDArray weighted = experts.overRows(0, r.counts().length, r.counts(), rows, null).mul(r.rowWeights());
        return weighted.get(new NDIndex("{}", r.pairPositions())).reshape(tokens, topK, hidden).sum(new int[] {1});
    }
}
