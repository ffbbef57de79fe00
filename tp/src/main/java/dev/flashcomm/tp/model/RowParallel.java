package dev.flashcomm.tp.model;

import ai.djl.ndarray.NDArray;
import dev.flashcomm.tp.comm.Communicator;
import dev.flashcomm.tp.comm.Site;
import java.util.List;

/**
 * The end of a row-parallel linear (Megatron's {@code RowParallelLinear}): the ranks' partials are reduced through
 * the communicator, and only then is the unsharded bias added, once. Adding it to every partial would count it N
 * times; adding it before the reduction would also put it through the quantizer.
 */
final class RowParallel {

    private RowParallel() {
    }

    /** {@code Σ_r partials[r]} under {@code comm}, plus {@code bias} when there is one. */
    static NDArray reduce(Communicator comm, List<NDArray> partials, int layer, Site site, NDArray bias) {
        NDArray sum = comm.allReduce(partials, layer, site);
        return bias == null ? sum : sum.add(bias);
    }
}
