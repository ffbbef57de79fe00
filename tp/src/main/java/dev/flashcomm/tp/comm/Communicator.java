package dev.flashcomm.tp.comm;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * The seam where tensor-parallel ranks combine their row-parallel partial results. The model calls it twice per
 * decoder layer (attention {@code o_proj}, MLP {@code down_proj}); what crosses it is the whole point of the tool.
 */
public interface Communicator {

    /**
     * Combines the ranks' partials {@code [.., H]} into the sum every rank ends with.
     *
     * @param partials one per rank, in rank order; rank 0's array decides the device and manager of the result
     * @param layer    decoder layer index, for diagnostics and selective compression
     * @param site     attention or MLP
     * @return the reduced sum, owned by the manager of {@code partials.get(0)}
     */
    NDArray allReduce(List<NDArray> partials, int layer, Site site);
}
