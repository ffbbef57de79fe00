package dev.flashcomm.tp.checkpoint;

/**
 * What a checkpoint tensor is to a decoder layer, whatever its family calls it. {@link #replicated} tensors are kept
 * whole on the primary device (norms, row-parallel biases added after the reduction, the router); the others are
 * cut into the ranks' shards.
 */
public enum TensorRole {
    INPUT_NORM(true), POST_NORM(true),
    Q(false), K(false), V(false), O(false),
    Q_BIAS(false), K_BIAS(false), V_BIAS(false), O_BIAS(true),
    Q_NORM(false), K_NORM(false),
    GATE(false), UP(false), DOWN(false), GATE_BIAS(false), UP_BIAS(false), DOWN_BIAS(true),
    ROUTER(true),
    EXPERT_GATE(false), EXPERT_UP(false), EXPERT_DOWN(false),
    SHARED_GATE(false), SHARED_UP(false), SHARED_DOWN(false),
    /** Qwen2-MoE's {@code shared_expert_gate}: one logit per token, replicated like the router. */
    SHARED_EXPERT_GATE(true);

    private final boolean replicated;

    TensorRole(boolean replicated) {
        this.replicated = replicated;
    }

    public boolean replicated() {
        return replicated;
    }
}
