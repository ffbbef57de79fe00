package dev.flashcomm.tp.comm.engine;

import ai.djl.ndarray.NDArray;
import dev.flashcomm.quant.Accumulation;
import java.util.List;

/**
 * {@code R(sum_r R(P_r))} with R = fp16 (clamped) or bf16 rounding, summed in rank order in the accumulation dtype. Each rank
 * rounds on its own device (that is what it would send), the rounded partials move to rank 0's device.
 * NaN propagates; fp16 saturates ±Inf to ±65504, bf16 keeps it (see {@link EngineRounding}).
 */
public final class EngineRoundedAllReduce implements EngineAllReduce {

    /** A 16-bit wire type. */
    public enum Rounding { FP16, BF16 }

    private final Rounding rounding;
    private final Accumulation acc;

    public EngineRoundedAllReduce(Rounding rounding) {
        this(rounding, Accumulation.FP32);
    }

    public EngineRoundedAllReduce(Rounding rounding, Accumulation acc) {
        this.rounding = rounding;
        this.acc = acc;
    }

    @Override
    public NDArray reduce(List<NDArray> partials, Workspace ws) {
        EngineAccumulation running = new EngineAccumulation(acc, ws);
        NDArray sum = null;
        for (NDArray p : partials) {
            NDArray sent = ws.moveTo(round(p, ws), ws.home());
            sum = sum == null ? running.round(sent) : running.add(sum, sent);
        }
        return round(sum, ws);
    }

    private NDArray round(NDArray x, Workspace ws) {
        return rounding == Rounding.FP16 ? EngineRounding.r16(x) : EngineRounding.rbf16(x, ws.powersOfTwo(x.getDevice()));
    }

    @Override
    public String toString() {
        return rounding == Rounding.FP16 ? "fp16" : "bf16";
    }
}
