package dev.flashcomm.eval.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashcomm.datasets.Aggregation;
import dev.flashcomm.datasets.Metric;
import dev.flashcomm.datasets.TaskRegistry;
import dev.flashcomm.datasets.TaskSpec;
import dev.flashcomm.results.MetricKind;
import org.junit.jupiter.api.Test;

/**
 * datasets names the metrics a task computes, results says how each is judged; neither may depend on the other, so
 * here, where both are seen, they are held to one vocabulary: every metric a task can produce is one the results
 * know, with the direction its aggregation implies.
 */
class MetricVocabularyTest {

    @Test
    void everyTaskMetricHasItsKindInTheResultsVocabulary() {
        for (Metric m : Metric.values()) {
            MetricKind kind = MetricKind.of(m.id());
            MetricKind expected = m.aggregation() == Aggregation.MEAN ? MetricKind.ACCURACY : MetricKind.LOWER_IS_BETTER;
            assertEquals(expected, kind, m.id());
        }
        for (TaskSpec spec : TaskRegistry.all()) {
            for (Metric m : spec.metrics()) {
                assertTrue(MetricKind.of(m.id()) != MetricKind.OTHER, spec.name() + " " + m.id());
            }
        }
        // the generation-agreement metrics are not task metrics of datasets: eval computes them against the baseline
        assertEquals(MetricKind.ACCURACY, MetricKind.of(GenerationAgreement.AGREEMENT));
        assertEquals(MetricKind.HIGHER_IS_BETTER, MetricKind.of(GenerationAgreement.FIRST_DIVERGENCE));
        assertTrue(MetricKind.HIGHER_IS_BETTER.higherIsBetter());
        assertTrue(MetricKind.ACCURACY.higherIsBetter());
        assertTrue(!MetricKind.LOWER_IS_BETTER.higherIsBetter());
    }
}
