package dev.flashcomm.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The gate's recovery bound, confidence bounds, significance requirement, its cell counts and printed table. */
class GateBoundsTest {

    private static final String INT4 = "int4-asym-g128";
    private static final String INT8 = "int8-asym-g128";

    /** A row measured on {@code n} items (or tokens) with a p-value against {@code baseline}. */
    private static ResultRow row(String comm, String task, String metric, double value, long n, double stderr,
                                 double baseline, double p) {
        String test = metric.equals("perplexity") ? Significance.PAIRED_BOOTSTRAP : Significance.MCNEMAR;
        ResultRow r = ResultRow.measured("m", 2, comm, "fake", task, metric, value, stderr, n, 1000, 1.0,
                "lm-eval 0-shot", 1, "", "0.1.0");
        return comm.equals("fp16") ? r.withComparison(value, OptionalDouble.empty(), "")
                : r.withComparison(baseline, OptionalDouble.of(p), test);
    }

    private static GateReport gate(String ppl, String acc, String recovery, String confidence, String significance,
                                   ResultRow... rows) {
        return new Gate(GateThresholds.parse(ppl, acc, recovery, confidence, significance))
                .check(List.of(rows), null, "fp16");
    }

    @ParameterizedTest(name = "p={0} n={1} at {2}")
    @CsvSource({"0.6, 20, 0.95, 0.41855585029325876", "0.6, 2000, 0.95, 0.5818581051859415",
            "1.0, 20, 0.95, 0.8808421626390355", "0.0, 20, 0.95, 0.0"})
    void wilsonLowerBoundMatchesTheFormula(double p, long n, double confidence, double expected) {
        assertEquals(expected, ConfidenceBounds.wilsonLower(p, n, confidence), 1e-8);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"0.95, 1.6448536269514715", "0.975, 1.9599639845400536", "0.999, 3.090232306167813",
            "0.6, 0.2533471031357997"})
    void normalQuantile(double confidence, double z) {
        assertEquals(z, ConfidenceBounds.zOneSided(confidence), 1e-8);
    }

    @Test
    void recoveryIsQuantizedOverBaselineForAccuraciesAndInvertedForPerplexity() {
        GateReport report = gate(null, null, "0.99", null, null,
                row("fp16", "piqa", "acc", 0.600, 1000, 0.01, 0, 0),
                row(INT8, "piqa", "acc", 0.595, 1000, 0.01, 0.600, 0.2),   // 99.17 %: passes
                row(INT4, "piqa", "acc", 0.590, 1000, 0.01, 0.600, 0.01),  // 98.33 %: fails
                row("fp16", "ppl:w", "perplexity", 10.0, 5000, 0.1, 0, 0),
                row(INT8, "ppl:w", "perplexity", 10.1, 5000, 0.1, 10.0, 0.3),  // 10/10.1 = 99.01 %: passes
                row(INT4, "ppl:w", "perplexity", 10.2, 5000, 0.1, 10.0, 0.01)); // 98.04 %: fails
        assertEquals(List.of("m tp=2 int4-asym-g128 piqa acc: 60.00 -> 59.00 (recovery 98.33% < 99.00%)",
                "m tp=2 int4-asym-g128 ppl:w perplexity: 10.000 -> 10.200 (recovery 98.04% < 99.00%)"),
                report.violations());
        assertEquals(0.99 * 0.6, report.verdicts().get(0).limit(), 1e-15, "an accuracy floor");
        assertEquals(10.0 / 0.99, report.verdicts().get(2).limit(), 1e-12, "a perplexity ceiling");
        assertEquals(GateThresholds.parse(null, null, "99%", null, null), GateThresholds.parse(null, null, "0.99",
                null, null), "99% and 0.99 are the same recovery");
    }

    @Test
    void theStrictestOfSeveralBoundsApplies() {
        // 1 pt below 60 % is 59.0; 99 % of 60 % is 59.4: recovery is the stricter floor
        GateReport report = gate(null, "1.0", "0.99", null, null,
                row("fp16", "piqa", "acc", 0.60, 1000, 0.01, 0, 0),
                row(INT4, "piqa", "acc", 0.592, 1000, 0.01, 0.60, 0.01));
        assertEquals(0.594, report.verdicts().get(0).limit(), 1e-15);
        assertEquals(List.of("m tp=2 int4-asym-g128 piqa acc: 60.00 -> 59.20 (recovery 98.67% < 99.00%)"),
                report.violations());
    }

    @Test
    void confidenceJudgesTheWilsonLowerBoundSoSmallRunsNeedMargin() {
        ResultRow base = row("fp16", "piqa", "acc", 0.60, 20, 0.11, 0, 0);
        ResultRow same = row(INT4, "piqa", "acc", 0.60, 20, 0.11, 0.60, 1.0);
        assertTrue(gate(null, "1.0", null, null, null, base, same).passed(), "the point value equals the baseline");
        GateReport judged = gate(null, "1.0", null, "0.95", null, base, same);
        assertFalse(judged.passed(), "but at 20 items its 95 % lower bound is 41.9 %");
        assertEquals(0.41855585029325876, judged.verdicts().get(0).bound(), 1e-8);
        assertEquals(List.of("m tp=2 int4-asym-g128 piqa acc: 60.00 -> 60.00 (-18.14 pt > 1.00 pt at 95% "
                + "confidence)"), judged.violations());
        ResultRow large = row(INT4, "piqa", "acc", 0.60, 2000, 0.011, 0.60, 1.0);
        assertTrue(gate(null, "20", null, "0.95", null,
                row("fp16", "piqa", "acc", 0.60, 2000, 0.011, 0, 0), large).passed(),
                "at 2000 items the bound is 58.2 %, within 20 points");
    }

    @Test
    void confidenceBoundsPerplexityByItsStderr() {
        GateReport report = gate("1%", null, null, "0.95", null,
                row("fp16", "ppl:w", "perplexity", 10.0, 5000, 0.1, 0, 0),
                row(INT8, "ppl:w", "perplexity", 10.05, 5000, 0.1, 10.0, 0.3));
        assertEquals(10.05 + 1.6448536269514715 * 0.1, report.verdicts().get(0).bound(), 1e-8);
        assertFalse(report.passed(), "10.21 is +2.1 %, above 1 %");
    }

    @Test
    void requireSignificanceExcusesOnlyDifferencesWithinNoise() {
        ResultRow base = row("fp16", "piqa", "acc", 0.60, 100, 0.05, 0, 0);
        ResultRow noisy = row(INT8, "piqa", "acc", 0.57, 100, 0.05, 0.60, 0.31);
        ResultRow real = row(INT4, "piqa", "acc", 0.45, 100, 0.05, 0.60, 0.001);
        GateReport report = gate(null, "1.0", null, null, "0.05", base, noisy, real);
        assertEquals(List.of(GateVerdict.Outcome.PASS_NOT_SIGNIFICANT, GateVerdict.Outcome.FAIL),
                report.verdicts().stream().map(GateVerdict::outcome).toList());
        assertEquals(List.of("m tp=2 int4-asym-g128 piqa acc: 60.00 -> 45.00 (-15.00 pt > 1.00 pt)"),
                report.violations());
        assertEquals("out of bounds but not significant: p 0.310 >= 0.05", report.verdicts().get(0).reason());

        ResultRow untested = ResultRow.measured("m", 2, INT4, "fake", "piqa", "acc", 0.45, 0.05, 100, 1000, 1.0,
                "lm-eval 0-shot", 1, "", "0.1.0");
        GateReport noTest = gate(null, "1.0", null, null, "0.05", base, untested);
        assertEquals("-15.00 pt > 1.00 pt; no paired test to excuse it", noTest.verdicts().get(0).reason());
    }

    @Test
    void aBoundForOneKindLeavesTheOtherNotGated() {
        GateReport report = gate("0.5%", null, null, null, null,
                row("fp16", "piqa", "acc", 0.60, 100, 0.05, 0, 0),
                row(INT4, "piqa", "acc", 0.10, 100, 0.05, 0.60, 0.001),
                row("fp16", "ppl:w", "perplexity", 10.0, 5000, 0.1, 0, 0),
                row(INT4, "ppl:w", "perplexity", 10.01, 5000, 0.1, 10.0, 0.4));
        assertTrue(report.passed());
        assertEquals(List.of("m tp=2 int4-asym-g128 piqa acc: no accuracy bound given"), report.notGated());
    }

    @Test
    void cellsAreCountedAsTheSweepCountsThemAndTheTableSaysEverything() {
        GateReport report = gate("0.5%", "1.0", null, null, null,
                row("fp16", "piqa", "acc", 0.60, 100, 0.05, 0, 0),
                row("fp16", "piqa", "acc_norm", 0.62, 100, 0.05, 0, 0),
                row(INT4, "piqa", "acc", 0.58, 100, 0.05, 0.60, 0.02),
                row(INT4, "piqa", "acc_norm", 0.615, 100, 0.05, 0.62, 0.5),
                row("fp16", "ppl:w", "perplexity", 10.0, 5000, 0.1, 0, 0),
                row(INT4, "ppl:w", "perplexity", 10.01, 5000, 0.1, 10.0, 0.4));
        assertEquals(4, report.cellsInFile(), "piqa (acc and acc_norm) and ppl:w, under fp16 and int4");
        assertEquals(2, report.baselineCells());
        assertEquals(2, report.cellsChecked());
        assertEquals(3, report.checked(), "metric rows");
        assertEquals(1, report.cellsFailed());
        List<String> lines = report.render("perplexity +0.5%, accuracy -1.0 pt", "fp16").lines().toList();
        assertEquals(List.of(
                "cell                                     value  baseline     delta   bound      limit      p  verdict",
                "m tp=2 int4-asym-g128 piqa acc           58.00     60.00  -2.00 pt   58.00   >= 59.00  0.020  "
                        + "FAIL (-2.00 pt > 1.00 pt)",
                "m tp=2 int4-asym-g128 piqa acc_norm      61.50     62.00  -0.50 pt   61.50   >= 61.00  0.500  pass",
                "m tp=2 int4-asym-g128 ppl:w perplexity  10.010    10.000    +0.10%  10.010  <= 10.050  0.400  pass",
                "gate FAILED: 1 of 2 cells out of bounds; 2 of 4 cells (3 metric rows) against fp16; 2 fp16 cells "
                        + "are the reference (perplexity +0.5%, accuracy -1.0 pt)"), lines);
    }

    @Test
    void impossibleSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> GateThresholds.parse(null, null, "1.5", null, null));
        assertThrows(IllegalArgumentException.class, () -> GateThresholds.parse(null, null, "0", null, null));
        assertThrows(IllegalArgumentException.class, () -> GateThresholds.parse(null, "1", null, "95", null));
        assertThrows(IllegalArgumentException.class, () -> GateThresholds.parse(null, "1", null, "0.4", null));
        assertThrows(IllegalArgumentException.class, () -> GateThresholds.parse(null, "1", null, null, "1"));
        assertEquals("--min-recovery must be a fraction such as 0.99 or a percentage such as 99%, got 'most'",
                assertThrows(IllegalArgumentException.class,
                        () -> GateThresholds.parse(null, null, "most", null, null)).getMessage());
        assertEquals("--confidence must be a fraction such as 0.95, got 'high'",
                assertThrows(IllegalArgumentException.class,
                        () -> GateThresholds.parse(null, "1", null, "high", null)).getMessage());
    }
}
