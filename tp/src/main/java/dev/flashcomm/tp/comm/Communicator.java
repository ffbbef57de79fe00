package dev.flashcomm.tp.comm;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * The seam where tensor-parallel ranks combine their row-parallel partial results. The model calls it twice per
 * decoder layer (attention {@code o_proj}, MLP {@code down_proj}), and with expert parallelism twice more per sparse
 * block ({@link #transfer}); what crosses it is the whole point of the tool.
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

    /**
     * One leg of expert-parallel traffic ({@link Site#DISPATCH}: token states to their experts' ranks;
     * {@link Site#COMBINE}: expert outputs back): every payload row as it arrives, rounded to the leg's format.
     * Rows that stay on their own rank are rounded too (DeepEP quantizes before it knows the destination), but only
     * the rows a rank sends to other ranks count as traffic. With one rank nothing travels and the rows come back
     * unchanged, as a one-rank all-reduce's partial does.
     *
     * @param rows    {@code [P, H]} payloads, one per row; the result belongs to their manager, in their dtype
     * @param traffic rows sent and received per rank, from the routing
     * @return the rows as received; the default (no expert-parallel formats) passes them through unchanged
     */
    default NDArray transfer(NDArray rows, int layer, Site site, LegTraffic traffic) {
        return rows;
    }
}
