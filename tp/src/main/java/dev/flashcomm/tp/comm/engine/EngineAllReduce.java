package dev.flashcomm.tp.comm.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.List;

/**
 * One all-reduce algorithm on engine arrays, the device-resident twin of {@code quant}'s
 * {@code AllReduceAlgorithm} (same numerics, bit for bit on CPU fp32). Byte counts stay with the host algorithm.
 *
 * <p>NaN and Inf are not rejected (that would need a device-to-host copy per all-reduce; the model detects
 * non-finite values per layer): each implementation says what they produce.
 */
public interface EngineAllReduce {

    /**
     * @param partials one fp32 {@code [rows, cols]} array per rank, in rank order, each owned by {@code ws}'s
     *                 manager for its device (see {@link Workspace#adopt}); never modified
     * @return the fp32 {@code [rows, cols]} sum S, on {@code ws.home()}, owned by {@code ws}
     */
    NDArray reduce(List<NDArray> partials, Workspace ws);

    /** Rows of the 2-D partials. */
    static int rows(List<NDArray> partials) {
        return Math.toIntExact(partials.get(0).getShape().get(0));
    }

    /** Columns of the 2-D partials. */
    static int cols(List<NDArray> partials) {
        return Math.toIntExact(partials.get(0).getShape().get(1));
    }

    /** Whether every partial sits on partial 0's device (then ranks can be processed as one stacked matrix). */
    static boolean onOneDevice(List<NDArray> partials) {
        for (NDArray p : partials) {
            if (!p.getDevice().equals(partials.get(0).getDevice())) {
                return false;
            }
        }
        return true;
    }

    /** The partials stacked row-wise into one {@code [N·rows, cols]} matrix (partial 0 itself for one rank). */
    static NDArray stacked(List<NDArray> partials) {
        return partials.size() == 1 ? partials.get(0)
                : NDArrays.concat(new NDList(partials), 0);
    }

    /** Start of chunk j of n units over N ranks: {@code floor(j*n/N)}, the doc's rule. */
    static long chunkStart(int j, long n, int ranks) {
        return j * n / ranks;
    }
}
