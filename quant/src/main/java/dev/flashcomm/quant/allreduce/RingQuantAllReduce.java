package dev.flashcomm.quant.allreduce;

import dev.flashcomm.quant.Accumulation;
import dev.flashcomm.quant.GroupLayout;
import dev.flashcomm.quant.QuantSpec;

/**
 * Ablation from the doc's last section: a ring that quantizes at every hop (N quantization steps where flash does 2).
 *
 * <p>Our reading: chunks are ranges of whole groups, split like flash's. Chunk j starts on rank j+1, which sends
 * {@code QDQ_rs(P_{j+1})}; each later rank k = j+2 .. j+N-1 sends {@code QDQ_rs(DQ(acc) + P_k)}; rank j adds its own
 * partial unquantized ({@code DQ(acc) + P_j}), quantizes the result once with the ag spec, and the ring all-gather
 * forwards those bytes without re-quantization, so every rank decodes the same S. With one rank there are no hops:
 * {@code S = QDQ_ag(P_0)}. Values are computed in fake-quant form, which is bit-identical to packing.
 */
final class RingQuantAllReduce extends QuantizedAllReduce {

    RingQuantAllReduce(QuantSpec rs, QuantSpec ag, Accumulation acc) {
        super(rs, ag, acc);
    }

    @Override
    public float[] reduce(float[][] partials, int rows, int cols) {
        Partials.requireValid(partials, rows, cols);
        int ranks = partials.length;
        GroupLayout layout = new GroupLayout(rs, cols);
        int groups = Math.toIntExact(layout.groupCount(rows));
        float[] sum = new float[partials[0].length];
        for (int j = 0; j < ranks; j++) {
            int first = Partials.chunkStart(j, groups, ranks);
            int count = Partials.chunkStart(j + 1, groups, ranks) - first;
            if (count == 0) {
                continue;
            }
            int from = Math.toIntExact(layout.elementOffset(first));
            int to = Math.toIntExact(layout.elementOffset((long) first + count));
            if (ranks == 1) {
                System.arraycopy(partials[0], from, sum, from, to - from);
            } else {
                System.arraycopy(partials[(j + 1) % ranks], from, sum, from, to - from);
                rsQuantizer.qdqGroups(sum, cols, first, count);
                for (int hop = 2; hop < ranks; hop++) {
                    addRange(partials[(j + hop) % ranks], sum, from, to, acc);
                    rsQuantizer.qdqGroups(sum, cols, first, count);
                }
                addRange(partials[j], sum, from, to, acc);
            }
            agQuantizer.qdqGroups(sum, cols, first, count);
        }
        return sum;
    }

    /** Each hop's addition, rounded to the accumulation dtype (the running sum travels already quantized). */
    private static void addRange(float[] partial, float[] sum, int from, int to, Accumulation acc) {
        for (int i = from; i < to; i++) {
            sum[i] = acc.add(sum[i], partial[i]);
        }
    }

    @Override
    public long[] bytesSentPerRank(int ranks, int rows, int cols) {
        return ByteCounts.quantizedRing(rs, ag, ranks, rows, cols);
    }
}
