package dev.flashcomm.tp.comm.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import dev.flashcomm.quant.Half;
import dev.flashcomm.tp.Scalars;
import dev.flashcomm.tp.kernels.FusedKernels;
import dev.flashcomm.tp.kernels.SharedKernels;

/**
 * fp16 and bf16 rounding of fp32 engine arrays, bit-identical to {@link Half#r16} and {@link Half#rbf16}.
 *
 * <p>NaN stays NaN. {@code r16} saturates ±Inf to ±65504 (the clamp); {@code rbf16} keeps ±Inf and, like
 * {@code Half.rbf16}, rounds values at or above {@code 0x1.ff8p127} up to ±Inf.
 */
public final class EngineRounding {

    /** Exponent of the smallest fp32 subnormal: table index 0 is 2^-149. */
    static final int MIN_EXP = -149;
    /** Largest fp32 binade exponent; the table goes one higher, to 2^128, for the upper bracket. */
    static final int MAX_EXP = 127;
    /** bf16 keeps 7 fraction bits: within binade e its spacing is 2^(e-7). */
    private static final int BF16_FRACTION_BITS = 7;
    /** Below the normal range bf16's spacing stays 2^-133 (fp32's 2^-149 times the 16 dropped bits). */
    private static final int BF16_MIN_ULP_EXP = -133;
    private static final double FP32_OVERFLOW = 0x1p128;

    private EngineRounding() {
    }

    /**
     * The doc's R16: clamp to ±65504, round to nearest-even fp16 (subnormals included), back to fp32. The engine's
     * own fp32 to fp16 cast rounds to nearest-even, so this is three ops.
     */
    public static NDArray r16(NDArray x) {
        NDArray clamped = x.maximum(Scalars.of(x, -Half.MAX)).minimum(Scalars.of(x, Half.MAX));
        return clamped.toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false);
    }

    /**
     * A plain IEEE cast to fp16 and back, bit-identical to {@link Half#r16Inf}: magnitudes from 65520 up become ±Inf
     * (the engine's own cast rounds to nearest-even and overflows), NaN stays NaN.
     */
    public static NDArray r16Inf(NDArray x) {
        return x.toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false);
    }

    /**
     * Round to nearest-even bf16, returned as fp32. DJL's PyTorch binding has no bf16 dtype and no bit-cast, so this
     * is arithmetic in fp64, where every step is exact: {@code e = floor(log2|x|)} corrected against exact powers of
     * two (log2 may be off by one next to a power of two), {@code ulp = 2^max(e-7, -133)},
     * {@code |r| = rint(|x| / ulp) * ulp} (a power-of-two division and multiplication are exact), then the sign of x
     * and the cast back (exact: r is a bf16 value, except 2^128, which is made +Inf explicitly).
     *
     * @param x           fp32
     * @param powersOfTwo the table of {@link #powersOfTwoTable()} on x's device (see {@link Workspace})
     */
    public static NDArray rbf16(NDArray x, NDArray powersOfTwo) {
        FusedKernels kernels = SharedKernels.orNull();
        if (kernels != null) {
            // one libtorch conversion; the fp64 emulation below keeps some fifteen full-size fp64 temporaries alive
            // in the caller's workspace, which ran a GPU out of memory on Mixtral-sized bf16 all-reduces
            return kernels.rbf16(x);
        }
        return rbf16Ops(x, powersOfTwo);
    }

    /** {@link #rbf16} as DJL ops (no fused kernels): exact, through fp64 and the table of powers of two. */
    static NDArray rbf16Ops(NDArray x, NDArray powersOfTwo) {
        NDArray x64 = x.toType(DataType.FLOAT64, false);
        NDArray a = x64.abs();
        // log2(0) = -inf clips to the bottom; the correction below then makes e = -150, which only feeds max()
        NDArray e = a.log2().floor().clip((double) MIN_EXP, (double) MAX_EXP);
        NDArray index = e.sub((double) MIN_EXP).toType(DataType.INT64, false);
        NDArray low = powersOfTwo.take(index);
        NDArray high = powersOfTwo.take(index.add(1L));
        e = e.sub(a.lt(low).toType(DataType.FLOAT64, false)).add(a.gte(high).toType(DataType.FLOAT64, false));
        NDArray ulpExp = e.sub((double) BF16_FRACTION_BITS).maximum((double) BF16_MIN_ULP_EXP);
        NDArray ulp = powersOfTwo.take(ulpExp.sub((double) MIN_EXP).toType(DataType.INT64, false));
        NDArray r = a.div(ulp).round().mul(ulp);
        r = NDArrays.where(r.gte(FP32_OVERFLOW), r.mul(Double.POSITIVE_INFINITY), r);
        NDArray signed = NDArrays.where(x64.lt(0.0), r.neg(), r);
        // ±0 keeps its sign; a nonzero x that rounds to 0 got its sign from the line above
        signed = NDArrays.where(a.eq(0.0), x64, signed);
        return signed.toType(DataType.FLOAT32, false);
    }

    /** {@code 2^k} for k = -149 .. 128, built exactly with {@link Math#scalb}. */
    static double[] powersOfTwoTable() {
        double[] t = new double[MAX_EXP + 2 - MIN_EXP];
        for (int k = 0; k < t.length; k++) {
            t[k] = Math.scalb(1.0, k + MIN_EXP);
        }
        return t;
    }
}
