package dev.flashcomm.tp.comm;

/**
 * Where communication happens in a decoder layer: the two row-parallel all-reduces (attention {@code o_proj}, the MLP's
 * or the tensor-parallel MoE block's {@code down_proj}), and with expert parallelism the two point-to-point legs of a
 * sparse block (tokens dispatched to their experts' ranks, expert outputs combined back).
 */
public enum Site {
    ATTENTION("attn"),
    MLP("mlp"),
    DISPATCH("dispatch"),
    COMBINE("combine");

    private final String id;

    Site(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** Whether this is an expert-parallel leg rather than an all-reduce. */
    public boolean expertLeg() {
        return this == DISPATCH || this == COMBINE;
    }
}
