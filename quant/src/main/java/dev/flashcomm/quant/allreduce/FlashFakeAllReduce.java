package dev.flashcomm.quant.allreduce;

import dev.flashcomm.quant.GroupLayout;
import dev.flashcomm.quant.QuantSpec;

/**
 * Flash all-reduce as the doc's formula, {@code QDQ_ag(sum_r QDQ_rs(P_r))}, summed in fp32 in rank order. Applies
 * even to one rank (the numerics are studied, not the transport), where nothing is sent.
 */
final class FlashFakeAllReduce extends QuantizedAllReduce {

    FlashFakeAllReduce(QuantSpec rs, QuantSpec ag) {
        super(rs, ag);
    }

    @Override
    public float[] reduce(float[][] partials, int rows, int cols) {
        Partials.requireValid(partials, rows, cols);
        int groups = Math.toIntExact(new GroupLayout(rs, cols).groupCount(rows));
        float[] sum = new float[partials[0].length];
        rsQuantizer.qdqInto(partials[0], sum, cols, 0, groups);
        for (int r = 1; r < partials.length; r++) {
            rsQuantizer.qdqAddInto(partials[r], sum, cols, 0, groups);
        }
        agQuantizer.qdqGroups(sum, cols, 0, groups);
        return sum;
    }

    @Override
    public long[] bytesSentPerRank(int ranks, int rows, int cols) {
        return ByteCounts.flash(rs, ag, ranks, rows, cols);
    }
}
