package dev.flashcomm.tp.comm.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Exact powers of two and exponents on engine arrays, for the float element formats and e8m0 scales. DJL has no
 * bit-casts, so the exponent of a value comes from {@code floor(log2)} in fp64, corrected against the exact powers
 * of the table (log2 may be off by one next to a power of two), and powers come from the table by index. Everything
 * here is exact.
 */
final class EnginePowers {

    private final NDArray table;

    /** The table {@code 2^k}, k = -149..128, in fp64 on {@code like}'s device (owned by its manager). */
    EnginePowers(NDArray like) {
        NDArray t = like.getManager().create(EngineRounding.powersOfTwoTable());
        this.table = t.getDevice().equals(like.getDevice()) ? t : t.toDevice(like.getDevice(), false);
    }

    /** {@code 2^e} in fp64 for integer-valued fp64 {@code e} in [-149, 128]. */
    NDArray pow2(NDArray e) {
        return table.take(e.sub((double) EngineRounding.MIN_EXP).toType(DataType.INT64, false));
    }

    /**
     * {@code clamp(floor(log2 a), lo, hi)} as integer-valued fp64, for fp64 {@code a >= 0} ({@code a = 0} gives lo);
     * lo >= -149 and hi <= 127.
     */
    NDArray floorLog2(NDArray a, int lo, int hi) {
        NDArray e = a.log2().floor().clip((double) lo, (double) hi);
        // a NaN (only after an fp32 overflow upstream) must not become a table index; its value stays NaN anyway
        e = ai.djl.ndarray.NDArrays.where(e.isNaN(), e.zerosLike().add((double) lo), e);
        NDArray below = a.lt(pow2(e)).logicalAnd(e.gt((double) lo)).toType(DataType.FLOAT64, false);
        e = e.sub(below);
        NDArray above = a.gte(pow2(e.add(1.0))).logicalAnd(e.lt((double) hi)).toType(DataType.FLOAT64, false);
        return e.add(above);
    }
}
