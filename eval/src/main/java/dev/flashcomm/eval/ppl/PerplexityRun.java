package dev.flashcomm.eval.ppl;

import dev.flashcomm.eval.Progress;
import dev.flashcomm.eval.lm.ScoringModel;
import dev.flashcomm.tp.comm.CommSettings;
import dev.flashcomm.tp.comm.Communicator;
import dev.flashcomm.tp.comm.SiteErrors;
import dev.flashcomm.tp.comm.TrafficMeter;
import java.util.List;

/**
 * One perplexity measurement under one communication setting, with what the communication cost.
 *
 * @param traffic bytes moved over the whole run
 * @param errors  per layer and site error against the exact sum, empty unless diagnostics were asked for
 */
public record PerplexityRun(CommSettings settings, PerplexityResult result, TrafficMeter.Traffic traffic,
                            List<SiteErrors.Row> errors) {

    public PerplexityRun {
        errors = List.copyOf(errors);
    }

    /** Bytes the busiest rank sends for one forward pass of one window. */
    public long bytesPerForward() {
        return result.windows() == 0 ? 0 : traffic.maxRankBytes() / result.windows();
    }

    /** What an fp16 ring would have sent for the same forward pass. */
    public long fp16RingBytesPerForward() {
        return result.windows() == 0 ? 0 : traffic.fp16RingMaxRankBytes() / result.windows();
    }

    /** Runs {@code protocol} with a fresh communicator for {@code settings}. */
    public static PerplexityRun measure(PerplexityProtocol protocol, ScoringModel model,
                                        CommSettings settings, int[] ids, String source,
                                        Progress progress, boolean diagnostics) {
        return measure(protocol, model, settings, ids, source, progress, diagnostics, null);
    }

    /** As above; a mixture-of-experts model also tells {@code routing} (when not null) every token's experts. */
    public static PerplexityRun measure(PerplexityProtocol protocol, ScoringModel model,
                                        CommSettings settings, int[] ids, String source,
                                        Progress progress, boolean diagnostics, RoutingTrace routing) {
        TrafficMeter meter = new TrafficMeter();
        SiteErrors errors = diagnostics ? new SiteErrors() : null;
        Communicator comm = model.openCommunicator(settings, meter, errors);
        PerplexityResult r = protocol.evaluate(model, routing == null ? comm : new TracingCommunicator(comm, routing),
                ids, source, progress);
        return new PerplexityRun(settings, r, meter.snapshot(), errors == null ? List.of() : errors.rows());
    }
}
