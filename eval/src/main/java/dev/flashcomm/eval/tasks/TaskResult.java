package dev.flashcomm.eval.tasks;

import dev.flashcomm.datasets.Metric;
import dev.flashcomm.eval.lm.Generation;
import dev.flashcomm.results.ItemScore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A task scored on one model and communicator: its metrics in the task's order and every item's outcome.
 *
 * @param version  the task version, carried to every results row
 * @param requests distinct log-likelihood requests run through the model (identical pairs are scored once)
 * @param tokens   tokens fed to the model, padding excluded
 * @param seconds  wall time of the model scoring alone (tokenizing excluded)
 */
public record TaskResult(String task, int version, List<MetricValue> metrics, List<ItemOutcome> items, int requests,
                         long tokens, double seconds) {

    public TaskResult {
        Objects.requireNonNull(task, "task");
        metrics = List.copyOf(metrics);
        items = List.copyOf(items);
        if (metrics.isEmpty() || items.isEmpty()) {
            throw new IllegalArgumentException(task + ": a result needs metrics and items");
        }
        if (metrics.stream().map(MetricValue::metric).distinct().count() != metrics.size()) {
            throw new IllegalArgumentException(task + ": a metric is listed twice");
        }
        if (requests < 0 || tokens < 0 || !(seconds >= 0)) {
            throw new IllegalArgumentException(task + ": requests, tokens and seconds must be >= 0");
        }
    }

    public int n() {
        return items.size();
    }

    /** The value of {@code metric}; an IllegalArgumentException when the task does not report it. */
    public MetricValue metric(Metric metric) {
        return metrics.stream().filter(m -> m.metric() == metric).findFirst().orElseThrow(
                () -> new IllegalArgumentException(task + " does not report " + metric.id()));
    }

    public double tokensPerSecond() {
        return seconds > 0 ? tokens / seconds : Double.NaN;
    }

    /** Per item, in item order, what a generation task generated; empty for a log-likelihood task. */
    public List<Generation> generations() {
        return items.stream().filter(o -> o instanceof GenerationOutcome).map(o -> ((GenerationOutcome) o).generation())
                .toList();
    }

    /**
     * Per-item scores of {@code metric} for paired tests in the results module: 1/0 for accuracies; for perplexity
     * the target's NLL with weight 1, since the task's perplexity is {@code exp(mean NLL)} over items, not tokens.
     */
    public List<ItemScore> itemScores(Metric metric) {
        metric(metric);
        List<ItemScore> out = new ArrayList<>(items.size());
        for (ItemOutcome o : items) {
            double v = o.value(metric);
            out.add(new ItemScore(o.item(), metric == Metric.PERPLEXITY ? -v : v, 1));
        }
        return out;
    }
}
