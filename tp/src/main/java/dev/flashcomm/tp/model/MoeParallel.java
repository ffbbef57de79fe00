package dev.flashcomm.tp.model;

import java.util.Locale;

/** How a sparse layer's experts are spread over the ranks ({@code --moe-parallel}). */
public enum MoeParallel {
    /**
     * Tensor-parallel experts (vLLM's default): every expert, and the shared expert, split over its own intermediate
     * dimension like a dense MLP; one all-reduce per block through the run's communicator.
     */
    TP,
    /**
     * Expert parallelism (DeepEP-style): rank r owns experts {@code [floor(r·E/N), floor((r+1)·E/N))} whole;
     * tokens are dispatched to their experts' ranks and the outputs combined back, each leg in its own format.
     */
    EP;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static MoeParallel parse(String s) {
        for (MoeParallel m : values()) {
            if (m.id().equalsIgnoreCase(s.strip())) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown --moe-parallel '" + s + "' (expected tp or ep)");
    }
}
