package dev.flashcomm.quant.allreduce;

import dev.flashcomm.quant.GroupLayout;
import dev.flashcomm.quant.QuantSpec;

/**
 * Exact per-rank bytes sent by each all-reduce scheme. Chunk j of n units is
 * {@code [floor(j*n/N), floor((j+1)*n/N))}; a rank never counts what it keeps.
 */
final class ByteCounts {

    private ByteCounts() {
    }

    /**
     * Ring all-reduce over elements: in the reduce-scatter chunk j travels ranks j+1 .. j-1 and ends on rank j, so
     * rank r sends every chunk but its own; in the all-gather chunk j leaves rank j and stops at rank j-1, so rank r
     * forwards every chunk but chunk r+1.
     */
    static long[] elementRing(int ranks, int rows, int cols, int bytesPerElement) {
        Partials.requireRanks(ranks, rows, cols);
        int elements = Math.multiplyExact(rows, cols);
        long[] sizes = new long[ranks];
        for (int j = 0; j < ranks; j++) {
            sizes[j] = (long) bytesPerElement
                    * (Partials.chunkStart(j + 1, elements, ranks) - Partials.chunkStart(j, elements, ranks));
        }
        return ring(sizes, sizes);
    }

    /**
     * Ring with quantized hops: the same routes over chunks of groups; reduce-scatter hops carry rs-packed chunks,
     * the all-gather carries the ag-packed reduced chunk.
     */
    static long[] quantizedRing(QuantSpec rs, QuantSpec ag, int ranks, int rows, int cols) {
        Partials.requireRanks(ranks, rows, cols);
        return ring(chunkBytes(rs, ranks, rows, cols), chunkBytes(ag, ranks, rows, cols));
    }

    /**
     * Flash: rank r sends rank j its rs-packed chunk j (j != r), then sends its ag-packed reduced chunk r to each of
     * the other N-1 ranks (direct all-gather).
     */
    static long[] flash(QuantSpec rs, QuantSpec ag, int ranks, int rows, int cols) {
        Partials.requireRanks(ranks, rows, cols);
        long[] rsChunk = chunkBytes(rs, ranks, rows, cols);
        long[] agChunk = chunkBytes(ag, ranks, rows, cols);
        long rsTotal = 0;
        for (long b : rsChunk) {
            rsTotal += b;
        }
        long[] sent = new long[ranks];
        for (int r = 0; r < ranks; r++) {
            sent[r] = (rsTotal - rsChunk[r]) + (long) (ranks - 1) * agChunk[r];
        }
        return sent;
    }

    /** Packed bytes of each rank's chunk of groups. */
    static long[] chunkBytes(QuantSpec spec, int ranks, int rows, int cols) {
        GroupLayout layout = new GroupLayout(spec, cols);
        int groups = Math.toIntExact(layout.groupCount(rows));
        long[] sizes = new long[ranks];
        for (int j = 0; j < ranks; j++) {
            int first = Partials.chunkStart(j, groups, ranks);
            sizes[j] = layout.bytesOf(first, Partials.chunkStart(j + 1, groups, ranks) - first);
        }
        return sizes;
    }

    private static long[] ring(long[] reduceScatterChunk, long[] allGatherChunk) {
        int ranks = reduceScatterChunk.length;
        long rsTotal = 0;
        long agTotal = 0;
        for (int j = 0; j < ranks; j++) {
            rsTotal += reduceScatterChunk[j];
            agTotal += allGatherChunk[j];
        }
        long[] sent = new long[ranks];
        if (ranks == 1) {
            return sent;
        }
        for (int r = 0; r < ranks; r++) {
            sent[r] = (rsTotal - reduceScatterChunk[r]) + (agTotal - allGatherChunk[(r + 1) % ranks]);
        }
        return sent;
    }
}
