package dev.flashcomm.quant.allreduce;

/** How a flash format is simulated. exact, fp16 and bf16 are the same under FAKE and PACKED. */
public enum CommPath {
    /** The doc's formula in floating point: {@code QDQ_ag(sum_r QDQ_rs(P_r))}. */
    FAKE,
    /** Real packed bytes through an all-to-all and an all-gather; bit-identical to FAKE. */
    PACKED,
    /** Ablation: a ring that re-quantizes the running sum at every hop (flash formats only). */
    RING
}
