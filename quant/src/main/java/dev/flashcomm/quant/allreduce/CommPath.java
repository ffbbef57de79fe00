package dev.flashcomm.quant.allreduce;

import dev.flashcomm.quant.CommFormat;

/**
 * How a flash format is simulated. exact, fp16 and bf16 are the same under FAKE and PACKED. This enum owns the one
 * rule that ties paths to formats ("the ring ablation needs a flash format"); every layer asks it.
 */
public enum CommPath {
    /** The doc's formula in floating point: {@code QDQ_ag(sum_r QDQ_rs(P_r))}. */
    FAKE,
    /** Real packed bytes through an all-to-all and an all-gather; bit-identical to FAKE. */
    PACKED,
    /** Ablation: a ring that re-quantizes the running sum at every hop (flash formats only). */
    RING;

    /** Whether {@code format} can run on this path: every format runs on FAKE and PACKED, only flash on RING. */
    public boolean supports(CommFormat format) {
        return this != RING || format.isFlash();
    }

    /**
     * @throws IllegalArgumentException naming {@code --comm-path} and the format when {@link #supports} is false
     */
    public void requireSupports(CommFormat format) {
        if (!supports(format)) {
            throw new IllegalArgumentException("--comm-path ring (the quantize-at-every-hop ablation) needs a flash "
                    + "format (intB-...), got " + format.name());
        }
    }

    /**
     * The path {@code format} runs on when a run asks for this one: flash formats take it as asked; the others are
     * the same on every path, so they run (and are labelled) on FAKE. A sweep or a baseline of {@code --comm-path
     * ring} can then hold fp16 next to a ring int4.
     */
    public CommPath effectiveFor(CommFormat format) {
        return format.isFlash() ? this : FAKE;
    }
}
