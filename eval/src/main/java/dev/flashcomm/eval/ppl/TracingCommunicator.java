package dev.flashcomm.eval.ppl;

import ai.djl.ndarray.NDArray;
import dev.flashcomm.tp.comm.Communicator;
import dev.flashcomm.tp.comm.LegTraffic;
import dev.flashcomm.tp.comm.Site;
import dev.flashcomm.tp.model.Routing;
import dev.flashcomm.tp.model.RoutingObserver;
import java.util.List;

/** A communicator that passes everything to another and tells a {@link RoutingTrace} what the router chose. */
final class TracingCommunicator implements Communicator, RoutingObserver {

    private final Communicator inner;
    private final RoutingTrace trace;

    TracingCommunicator(Communicator inner, RoutingTrace trace) {
        this.inner = inner;
        this.trace = trace;
    }

    @Override
    public NDArray allReduce(List<NDArray> partials, int layer, Site site) {
        return inner.allReduce(partials, layer, site);
    }

    @Override
    public NDArray transfer(NDArray rows, int layer, Site site, LegTraffic traffic) {
        return inner.transfer(rows, layer, site, traffic);
    }

    @Override
    public void routed(int layer, Routing routing) {
        trace.routed(layer, routing);
    }
}
