package dev.flashcomm.tp.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.flashcomm.tp.kernels.FusedKernels;
import java.util.Arrays;

/**
 * One rank's share of a sparse block's experts. With tensor-parallel experts every expert is present, cut to this
 * rank's columns of its intermediate dimension; with expert parallelism the rank holds its own experts whole and
 * the others are null. The shared expert (Qwen2-MoE) is split over its columns either way, or null when the family
 * has none.
 */
record RankExperts(GatedMlp[] experts, GatedMlp shared) {

    /** The gate/up shards {@code [H, 2c]} of experts {@code [from, to)}. */
    NDArray[] gateUps(int from, int to) {
        NDArray[] out = new NDArray[to - from];
        for (int e = from; e < to; e++) {
            out[e - from] = experts[e].gateUp();
        }
        return out;
    }

    /** The down shards {@code [c, H]} of experts {@code [from, to)}. */
    NDArray[] downs(int from, int to) {
        NDArray[] out = new NDArray[to - from];
        for (int e = from; e < to; e++) {
            out[e - from] = experts[e].down();
        }
        return out;
    }

    /**
     * Experts {@code [from, to)} over {@code rows} grouped by expert ({@code counts[e]} consecutive rows for expert
     * e, indexed by global expert), the outputs in the rows' order: one fused call when {@code kernels} is loaded,
     * else expert by expert as DJL ops. At least one of the counts must be positive.
     */
    NDArray overRows(int from, int to, int[] counts, NDArray rows, FusedKernels kernels) {
        int[] mine = Arrays.copyOfRange(counts, from, to);
        if (kernels != null) {
            return kernels.expertRows(rows, mine, gateUps(from, to), downs(from, to));
        }
        NDList outputs = new NDList();
        int start = 0;
        for (int i = 0; i < mine.length; i++) {
            if (mine[i] > 0) {
                outputs.add(experts[from + i].apply(rows.get(start + ":" + (start + mine[i])), null));
            }
            start += mine[i];
        }
        return outputs.size() == 1 ? outputs.get(0) : NDArrays.concat(outputs, 0);
    }
}
