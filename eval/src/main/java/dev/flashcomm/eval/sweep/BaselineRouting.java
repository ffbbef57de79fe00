package dev.flashcomm.eval.sweep;

import dev.flashcomm.eval.ppl.RoutingTrace;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The baseline cell's routing trace that a perplexity cell of a mixture-of-experts model is compared with, one per
 * model, TP degree, corpus and batch (the forward passes must see the same windows in the same batches). It comes
 * from the baseline cell when this run measured it (it runs first), else it is measured again on the loaded model
 * under the baseline's settings: a resumed or sharded sweep pays one baseline forward instead of storing traces.
 */
final class BaselineRouting {

    private final Map<String, RoutingTrace> known = new HashMap<>();

    static String key(Cell cell, String corpus, int batch) {
        return cell.model().dir() + "\n" + cell.tp() + "\n" + corpus + "\n" + batch;
    }

    /** Keeps the baseline cell's own trace and returns it. */
    RoutingTrace record(String key, RoutingTrace baseline) {
        known.put(key, baseline);
        return baseline;
    }

    /** The baseline's trace for {@code key}, measured by {@code measure} when this run has none. */
    RoutingTrace of(String key, Supplier<RoutingTrace> measure) {
        RoutingTrace found = known.get(key);
        if (found == null) {
            found = measure.get();
            known.put(key, found);
        }
        return found;
    }
}
