package dev.flashcomm.quant.allreduce;

import dev.flashcomm.quant.Accumulation;
import dev.flashcomm.quant.CommFormat;

/** Picks the all-reduce implementation for a communication format and simulation path. */
public final class AllReduceAlgorithms {

    private AllReduceAlgorithms() {
    }

    /**
     * exact, fp16 and bf16 have one implementation each, used for FAKE and PACKED alike. RING exists only for flash
     * formats.
     *
     * @throws IllegalArgumentException for RING with a non-flash format
     */
    public static AllReduceAlgorithm create(CommFormat format, CommPath path) {
        return create(format, path, Accumulation.FP32);
    }

    /**
     * The algorithm whose reduce step keeps its running sum in {@code acc} (exact always sums in fp32: it is the
     * reference).
     */
    public static AllReduceAlgorithm create(CommFormat format, CommPath path, Accumulation acc) {
        if (format == null || path == null || acc == null) {
            throw new IllegalArgumentException("format and path are required, got " + format + " and " + path);
        }
        path.requireSupports(format);
        return switch (format.kind()) {
            case EXACT -> new ExactAllReduce();
            case FP16 -> new RoundedAllReduce(RoundedAllReduce.Rounding.FP16, acc);
            case BF16 -> new RoundedAllReduce(RoundedAllReduce.Rounding.BF16, acc);
            case FLASH -> switch (path) {
                case FAKE -> new FlashFakeAllReduce(format.reduceScatter(), format.allGather(), acc);
                case PACKED -> new FlashPackedAllReduce(format.reduceScatter(), format.allGather(), acc);
                case RING -> new RingQuantAllReduce(format.reduceScatter(), format.allGather(), acc);
            };
        };
    }
}
