package dev.flashcomm.tp.comm.engine;

import dev.flashcomm.quant.Accumulation;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.allreduce.CommPath;

/** Picks the engine all-reduce for a format and path, as {@code AllReduceAlgorithms} does for the host. */
public final class EngineAllReduces {

    private EngineAllReduces() {
    }

    /** @throws IllegalArgumentException for RING with a non-flash format */
    public static EngineAllReduce create(CommFormat format, CommPath path) {
        return create(format, path, Accumulation.FP32);
    }

    /** The engine algorithm whose reduce step keeps its running sum in {@code acc}, like the host's. */
    public static EngineAllReduce create(CommFormat format, CommPath path, Accumulation acc) {
        if (format == null || path == null || acc == null) {
            throw new IllegalArgumentException("format and path are required, got " + format + " and " + path);
        }
        path.requireSupports(format);
        return switch (format.kind()) {
            case EXACT -> new EngineExactAllReduce();
            case FP16 -> new EngineRoundedAllReduce(EngineRoundedAllReduce.Rounding.FP16, acc);
            case BF16 -> new EngineRoundedAllReduce(EngineRoundedAllReduce.Rounding.BF16, acc);
            case FLASH -> switch (path) {
                case FAKE -> new EngineFlashFakeAllReduce(format.reduceScatter(), format.allGather(), acc);
                case PACKED -> new EngineFlashPackedAllReduce(format.reduceScatter(), format.allGather(), acc);
                case RING -> new EngineRingQuantAllReduce(format.reduceScatter(), format.allGather(), acc);
            };
        };
    }
}
