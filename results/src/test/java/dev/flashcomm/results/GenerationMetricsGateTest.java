package dev.flashcomm.results;

import static dev.flashcomm.results.Rows.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** The generation-agreement metrics: agreement is judged as an accuracy, first_divergence by recovery only. */
class GenerationMetricsGateTest {

    private static final String TASK = "agreement:stories";
    private static final String INT2 = "int2-asym-g128";

    @Test
    void theyHaveDirectionsAndAgreementItsPairedTest() {
        assertEquals(MetricKind.ACCURACY, MetricKind.of("agreement"));
        assertEquals(MetricKind.HIGHER_IS_BETTER, MetricKind.of("first_divergence"));
        assertTrue(MetricKind.HIGHER_IS_BETTER.higherIsBetter());
    }

    @Test
    void anAgreementDropFailsTheAccuracyBound() {
        Gate gate = new Gate(new GateThresholds(OptionalDouble.empty(), OptionalDouble.of(10), OptionalDouble.empty(),
                OptionalDouble.empty(), OptionalDouble.empty()));
        GateReport report = gate.check(List.of(row("m", 2, "fp16", TASK, "agreement", 1.0),
                row("m", 2, INT2, TASK, "agreement", 0.75), row("m", 2, "fp16", TASK, "first_divergence", 32),
                row("m", 2, INT2, TASK, "first_divergence", 20)), null, "fp16");
        assertEquals(List.of("m tp=2 int2-asym-g128 agreement:stories agreement: 100.00 -> 75.00 "
                + "(-25.00 pt > 10.00 pt)"), report.violations());
    }

    @Test
    void firstDivergenceIsJudgedByRecovery() {
        Gate gate = new Gate(new GateThresholds(OptionalDouble.empty(), OptionalDouble.empty(),
                OptionalDouble.of(0.9), OptionalDouble.empty(), OptionalDouble.empty()));
        GateReport report = gate.check(List.of(row("m", 2, "fp16", TASK, "first_divergence", 32),
                row("m", 2, INT2, TASK, "first_divergence", 20), row("m", 2, "int8", TASK, "first_divergence", 31)),
                null, "fp16");
        assertEquals(List.of("m tp=2 int2-asym-g128 agreement:stories first_divergence: 32.000 -> 20.000 "
                + "(recovery 62.50% < 90.00%)"), report.violations());
    }

    @Test
    void aNegativeFirstDivergenceIsNotAPossibleValue() {
        Gate gate = new Gate(new GateThresholds(0.01, 1.0));
        ResultsException e = assertThrows(ResultsException.class, () -> gate.check(List.of(
                row("m", 2, "fp16", TASK, "first_divergence", 32), row("m", 2, INT2, TASK, "first_divergence", -1)),
                null, "fp16"));
        assertTrue(e.getMessage().contains("VALUE -1.0 is not a possible first_divergence"), e.getMessage());
    }

    @Test
    void mcnemarTestsAgreementFlagsAgainstTheAllAgreeingBaseline() {
        List<ItemScore> base = java.util.stream.IntStream.range(0, 10).mapToObj(i -> new ItemScore(i, 1, 1)).toList();
        List<ItemScore> variant = java.util.stream.IntStream.range(0, 10)
                .mapToObj(i -> new ItemScore(i, i < 2 ? 1 : 0, 1)).toList();
        ResultRow b = row("m", 2, "fp16", TASK, "agreement", 1.0);
        ResultRow v = row("m", 2, INT2, TASK, "agreement", 0.2);
        List<ResultRow> compared = BaselineComparison.compare(List.of(b, v),
                java.util.Map.of(b.cell(), base, v.cell(), variant), "fp16");
        assertEquals(Significance.MCNEMAR, compared.get(1).test());
        assertEquals(2 * Math.pow(0.5, 8), compared.get(1).pValue().getAsDouble(), 1e-15); // 8 discordant, all one way
    }
}
