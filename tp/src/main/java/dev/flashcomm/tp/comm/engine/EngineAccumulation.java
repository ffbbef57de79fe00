package dev.flashcomm.tp.comm.engine;

import ai.djl.ndarray.NDArray;
import dev.flashcomm.quant.Accumulation;

/**
 * {@link Accumulation} on engine arrays: the running sum of the reduce step rounded after each addition, in rank
 * order, bit-identical to the host ({@code fp32} leaves it alone, {@code fp16} is R16, {@code bf16} nearest-even
 * bf16, see {@link EngineRounding}).
 */
final class EngineAccumulation {

    private final Accumulation acc;
    private final Workspace ws;

    EngineAccumulation(Accumulation acc, Workspace ws) {
        this.acc = acc;
        this.ws = ws;
    }

    /** {@code R(x)}: the first term of a running sum. */
    NDArray round(NDArray x) {
        return switch (acc) {
            case FP32 -> x;
            case FP16 -> EngineRounding.r16(x);
            case BF16 -> EngineRounding.rbf16(x, ws.powersOfTwo(x.getDevice()));
        };
    }

    /** {@code R(sum + x)}: one addition. */
    NDArray add(NDArray sum, NDArray x) {
        return round(sum.add(x));
    }

    GroupPieces round(GroupPieces x) {
        return acc == Accumulation.FP32 ? x : x.map(this::round);
    }

    GroupPieces add(GroupPieces sum, GroupPieces x) {
        return round(sum.add(x));
    }
}
