package dev.flashcomm.eval.tasks;

import dev.flashcomm.datasets.Metric;
import dev.flashcomm.eval.lm.Generation;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * A generation item (GSM8K): what greedy decoding produced and its score under each of the task's metrics.
 *
 * @param generation the new tokens and their text (special tokens kept), cut at the task's stop strings
 * @param response   what the filters saw: the new tokens decoded without special tokens, cut at the stop strings
 *                   (lm-eval's {@code resps})
 * @param scores     per metric, 1 or 0 (exact match after the metric's filter)
 */
public record GenerationOutcome(int item, Generation generation, String response, Map<Metric, Double> scores)
        implements ItemOutcome {

    public GenerationOutcome {
        Objects.requireNonNull(generation, "generation");
        Objects.requireNonNull(response, "response");
        if (scores.isEmpty()) {
            throw new IllegalArgumentException("item " + item + ": a generation needs at least one score");
        }
        scores = Collections.unmodifiableMap(new EnumMap<>(scores));
    }

    @Override
    public double value(Metric metric) {
        Double v = scores.get(metric);
        if (v == null) {
            throw new IllegalArgumentException("a generation item of this task has no " + metric.id());
        }
        return v;
    }
}
