package dev.flashcomm.tp.model;

/**
 * Told which experts every token of a sparse layer chose, as a forward pass runs: routing diagnostics (how often a
 * communication format flips expert choices) without a second forward. A communicator that also implements this
 * interface is told by the model; nothing else changes.
 */
@FunctionalInterface
public interface RoutingObserver {

    /** The routing of {@code layer} for the tokens of the current forward pass, in batch-major order. */
    void routed(int layer, Routing routing);
}
