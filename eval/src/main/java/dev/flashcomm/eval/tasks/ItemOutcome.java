package dev.flashcomm.eval.tasks;

import dev.flashcomm.datasets.Metric;

/** How one task item came out, kept per item so two communication formats can be compared item by item. */
public sealed interface ItemOutcome permits ChoiceOutcome, ContinuationOutcome, GenerationOutcome {

    /** The item's index in its task file, from 0. */
    int item();

    /**
     * The per-item value that {@code metric}'s aggregation consumes: 1 or 0 for accuracies, the log-likelihood for
     * perplexity (aggregated as {@code exp(-mean)}), 1 or 0 for a generation's exact match.
     *
     * @throws IllegalArgumentException when this kind of item has no such metric
     */
    double value(Metric metric);
}
