package dev.flashcomm.quant.allreduce;

import dev.flashcomm.quant.Accumulation;
import dev.flashcomm.quant.GroupLayout;
import dev.flashcomm.quant.PackedGroups;
import dev.flashcomm.quant.QuantSpec;

import java.util.List;

/**
 * Flash all-reduce with real packed bytes, bit-identical to {@link FlashFakeAllReduce}:
 * <ol>
 *   <li>each rank quantizes its whole partial with the rs spec into a send buffer;</li>
 *   <li>all-to-all: the G groups (global row-major index) are split into chunks
 *       {@code [floor(jG/N), floor((j+1)G/N))}, and the bytes of rank r's chunk j are copied into rank j's inbox;</li>
 *   <li>rank j dequantizes its N received chunks, sums them in rank order in the accumulation dtype, quantizes with the ag spec;</li>
 *   <li>all-gather: each owner's reduced chunk goes directly to the N-1 other ranks, which dequantize it into S.</li>
 * </ol>
 * All ranks decode the same bytes into the same S, so S is decoded once rather than N times.
 */
final class FlashPackedAllReduce extends QuantizedAllReduce {

    FlashPackedAllReduce(QuantSpec rs, QuantSpec ag, Accumulation acc) {
        super(rs, ag, acc);
    }

    @Override
    public float[] reduce(float[][] partials, int rows, int cols) {
        Partials.requireValid(partials, rows, cols);
        int ranks = partials.length;
        GroupLayout layout = new GroupLayout(rs, cols);
        int groups = Math.toIntExact(layout.groupCount(rows));
        // one rank's packed partial at a time: the send buffer is reused, the receive buffers are copies
        byte[] send = new byte[rs.payloadBytes(rows, cols)];
        PackedGroups[][] inbox = new PackedGroups[ranks][ranks];
        for (int r = 0; r < ranks; r++) {
            rsQuantizer.quantizeInto(partials[r], cols, 0, groups, send, 0);
            for (int j = 0; j < ranks; j++) {
                int first = Partials.chunkStart(j, groups, ranks);
                int count = Partials.chunkStart(j + 1, groups, ranks) - first;
                inbox[j][r] = PackedGroups.copyOf(rs, cols, first, count, send, Math.toIntExact(layout.byteOffset(first)));
            }
        }
        float[] sum = new float[partials[0].length];
        for (int j = 0; j < ranks; j++) {
            if (inbox[j][0].groupCount() == 0) {
                continue;
            }
            rsQuantizer.dequantizeSum(List.of(inbox[j]), sum, acc);
            PackedGroups reduced = agQuantizer.quantize(sum, cols, inbox[j][0].firstGroup(), inbox[j][0].groupCount());
            agQuantizer.dequantize(reduced, sum);
        }
        return sum;
    }

    @Override
    public long[] bytesSentPerRank(int ranks, int rows, int cols) {
        return ByteCounts.flash(rs, ag, ranks, rows, cols);
    }
}
