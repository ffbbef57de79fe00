package dev.flashcomm.quant.allreduce;

import dev.flashcomm.quant.Accumulation;
import dev.flashcomm.quant.Half;

/** {@code R(sum_r R(P_r))} with R = fp16 (clamped) or bf16 rounding, summed in rank order in the accumulation dtype (fp32 by default); bytes of a 16-bit ring. */
final class RoundedAllReduce implements AllReduceAlgorithm {

    private static final int HALF_BYTES = 2;

    /** A 16-bit wire type. */
    enum Rounding { FP16, BF16 }

    private final Rounding rounding;
    private final Accumulation acc;

    RoundedAllReduce(Rounding rounding, Accumulation acc) {
        this.rounding = rounding;
        this.acc = acc;
    }

    @Override
    public float[] reduce(float[][] partials, int rows, int cols) {
        Partials.requireValid(partials, rows, cols);
        float[] sum = new float[partials[0].length];
        // separate loops per rounding so each stays a plain call the JIT can inline
        if (rounding == Rounding.FP16) {
            float[] first = partials[0];
            for (int i = 0; i < sum.length; i++) {
                sum[i] = acc.round(Half.r16(first[i]));
            }
            for (int r = 1; r < partials.length; r++) {
                float[] p = partials[r];
                if (acc == Accumulation.FP32) {
                    for (int i = 0; i < sum.length; i++) {
                        sum[i] += Half.r16(p[i]);
                    }
                } else {
                    for (int i = 0; i < sum.length; i++) {
                        sum[i] = acc.add(sum[i], Half.r16(p[i]));
                    }
                }
            }
            for (int i = 0; i < sum.length; i++) {
                sum[i] = Half.r16(sum[i]);
            }
        } else {
            float[] first = partials[0];
            for (int i = 0; i < sum.length; i++) {
                sum[i] = acc.round(Half.rbf16(first[i]));
            }
            for (int r = 1; r < partials.length; r++) {
                float[] p = partials[r];
                if (acc == Accumulation.FP32) {
                    for (int i = 0; i < sum.length; i++) {
                        sum[i] += Half.rbf16(p[i]);
                    }
                } else {
                    for (int i = 0; i < sum.length; i++) {
                        sum[i] = acc.add(sum[i], Half.rbf16(p[i]));
                    }
                }
            }
            for (int i = 0; i < sum.length; i++) {
                sum[i] = Half.rbf16(sum[i]);
            }
        }
        return sum;
    }

    @Override
    public long[] bytesSentPerRank(int ranks, int rows, int cols) {
        return ByteCounts.elementRing(ranks, rows, cols, HALF_BYTES);
    }

    @Override
    public String toString() {
        return rounding == Rounding.FP16 ? "fp16" : "bf16";
    }
}
