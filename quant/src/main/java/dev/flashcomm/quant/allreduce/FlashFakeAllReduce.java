package dev.flashcomm.quant.allreduce;

import dev.flashcomm.quant.Accumulation;
import dev.flashcomm.quant.GroupLayout;
import dev.flashcomm.quant.QuantSpec;

/**
 * Flash all-reduce as the doc's formula, {@code QDQ_ag(sum_r QDQ_rs(P_r))}, summed in rank order with the running sum in the accumulation dtype (fp32 by default). Applies
 * even to one rank (the numerics are studied, not the transport), where nothing is sent.
 */
final class FlashFakeAllReduce extends QuantizedAllReduce {

    FlashFakeAllReduce(QuantSpec rs, QuantSpec ag, Accumulation acc) {
        super(rs, ag, acc);
    }

    @Override
    public float[] reduce(float[][] partials, int rows, int cols) {
        Partials.requireValid(partials, rows, cols);
        int groups = Math.toIntExact(new GroupLayout(rs, cols).groupCount(rows));
        float[] sum = new float[partials[0].length];
        if (acc == Accumulation.FP32) {
            rsQuantizer.qdqInto(partials[0], sum, cols, 0, groups);
            for (int r = 1; r < partials.length; r++) {
                rsQuantizer.qdqAddInto(partials[r], sum, cols, 0, groups);
            }
        } else {
            float[] sent = new float[sum.length];
            for (int r = 0; r < partials.length; r++) {
                rsQuantizer.qdqInto(partials[r], sent, cols, 0, groups);
                for (int i = 0; i < sum.length; i++) {
                    sum[i] = r == 0 ? acc.round(sent[i]) : acc.add(sum[i], sent[i]);
                }
            }
        }
        agQuantizer.qdqGroups(sum, cols, 0, groups);
        return sum;
    }

    @Override
    public long[] bytesSentPerRank(int ranks, int rows, int cols) {
        return ByteCounts.flash(rs, ag, ranks, rows, cols);
    }
}
