package dev.flashcomm.results;

import static dev.flashcomm.results.Rows.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GateTest {

    private static final String INT4 = "int4-asym-g128";
    private static final String INT8 = "int8-asym-g128";
    private static final String PPL = "ppl:wikitext2";
    private static final Gate GATE = new Gate(new GateThresholds(0.005, 1.0));

    private static GateReport selfCheck(ResultRow... rows) {
        return GATE.check(List.of(rows), null, "fp16");
    }

    @Test
    void resultsWithinBoundsPass() {
        GateReport report = selfCheck(
                row("m", 2, "fp16", PPL, "perplexity", 20.0),
                row("m", 2, INT8, PPL, "perplexity", 20.05), // +0.25%
                row("m", 2, "fp16", "piqa", "acc", 0.62),
                row("m", 2, INT8, "piqa", "acc", 0.615)); // -0.5 pt
        assertTrue(report.passed());
        assertEquals(2, report.checked(), "baseline rows are their own reference and not counted");
        assertEquals(List.of(), report.violations());
    }

    @Test
    void perplexityIncreaseAboveTheBoundFails() {
        GateReport report = selfCheck(
                row("m", 2, "fp16", PPL, "perplexity", 20.0),
                row("m", 2, INT4, PPL, "perplexity", 20.12)); // +0.6%
        assertFalse(report.passed());
        assertEquals(List.of("m tp=2 int4-asym-g128 ppl:wikitext2 perplexity: 20.000 -> 20.120 (+0.60% > 0.50%)"),
                report.violations());
    }

    @Test
    void accuracyDropAboveTheBoundFails() {
        GateReport report = selfCheck(
                row("llama3-tiny", 2, "fp16", "piqa", "acc", 0.6120),
                row("llama3-tiny", 2, INT4, "piqa", "acc", 0.5990));
        assertEquals(List.of("llama3-tiny tp=2 int4-asym-g128 piqa acc: 61.20 -> 59.90 (-1.30 pt > 1.00 pt)"),
                report.violations());
    }

    @Test
    void changesExactlyAtTheBoundPass() {
        // in binary, (20.1 - 20) / 20 is 0.0050000000000000711 and (0.62 - 0.61) * 100 is 1.0000000000000009
        GateReport report = selfCheck(
                row("m", 2, "fp16", PPL, "perplexity", 20.0),
                row("m", 2, INT4, PPL, "perplexity", 20.1),
                row("m", 2, "fp16", "piqa", "acc_norm", 0.62),
                row("m", 2, INT4, "piqa", "acc_norm", 0.61));
        assertTrue(report.passed(), () -> report.violations().toString());
        assertEquals(2, report.checked());
    }

    @Test
    void improvementsAndUnknownMetricsPassButUnknownIsListed() {
        GateReport report = selfCheck(
                row("m", 2, "fp16", "piqa", "acc", 0.60),
                row("m", 2, INT4, "piqa", "acc", 0.70),
                row("m", 2, "fp16", "squad", "f1", 0.9),
                row("m", 2, INT4, "squad", "f1", 0.1));
        assertTrue(report.passed());
        assertEquals(1, report.checked());
        assertEquals(List.of("m tp=2 fp16 squad f1: metric not gated", "m tp=2 int4-asym-g128 squad f1: metric not gated"),
                report.notGated());
    }

    @Test
    void nonFiniteValuesFail() {
        GateReport report = selfCheck(
                row("m", 2, "fp16", PPL, "perplexity", 20.0),
                row("m", 2, "int2-asym-g128", PPL, "perplexity", Double.POSITIVE_INFINITY));
        assertEquals(List.of("m tp=2 int2-asym-g128 ppl:wikitext2 perplexity: 20.000 -> Infinity"
                + " (not a finite positive perplexity)"), report.violations());
    }

    @Test
    void resultsWithoutBaselineRowsAreBadInput(@TempDir Path dir) {
        List<ResultRow> rows = List.of(row("m", 2, INT4, "piqa", "acc", 0.6));
        assertEquals("no fp16 baseline rows in results",
                assertThrows(ResultsException.class, () -> GATE.check(rows, null, "fp16")).getMessage());

        Path file = dir.resolve("sweep.csv");
        ResultsCsv.write(file, rows);
        assertEquals("no fp16 baseline rows in " + file,
                assertThrows(ResultsException.class, () -> GATE.check(file, null, "fp16")).getMessage());
    }

    @Test
    void aCellWithoutItsBaselineIsBadInput() {
        ResultsException e = assertThrows(ResultsException.class, () -> selfCheck(
                row("m", 2, "fp16", "piqa", "acc", 0.6),
                row("m", 4, INT4, "piqa", "acc", 0.6)));
        assertEquals("results: no fp16 baseline row for m tp=4 int4-asym-g128 piqa acc", e.getMessage());
    }

    @Test
    void baselineFileComparesSameCommFirstThenFp16(@TempDir Path dir) {
        Path release = dir.resolve("release.csv");
        ResultsCsv.write(release, List.of(
                row("m", 2, "fp16", PPL, "perplexity", 20.0),
                row("m", 2, INT4, PPL, "perplexity", 20.2)));
        Path current = dir.resolve("current.csv");
        ResultsCsv.write(current, List.of(
                row("m", 2, "fp16", PPL, "perplexity", 20.0),   // vs fp16 there: unchanged
                row("m", 2, INT4, PPL, "perplexity", 20.25),    // vs int4 there: +0.25% (vs fp16 it would be +1.25%)
                row("m", 2, INT8, PPL, "perplexity", 20.15),    // no int8 there, so vs fp16: +0.75%
                row("other", 2, "fp16", PPL, "perplexity", 9.0))); // a model the release did not measure

        GateReport report = GATE.check(current, release, "fp16");

        assertEquals(3, report.checked());
        assertEquals(List.of("m tp=2 int8-asym-g128 ppl:wikitext2 perplexity: 20.000 -> 20.150 (+0.75% > 0.50%)"),
                report.violations());
        assertEquals(List.of("other tp=2 fp16 ppl:wikitext2 perplexity: no counterpart in " + release),
                report.notGated());
    }

    @Test
    void baselineFileMatchingNothingIsBadInput() {
        List<ResultRow> results = List.of(row("m", 2, INT4, "piqa", "acc", 0.6));
        List<ResultRow> unrelated = List.of(row("x", 2, "fp16", "piqa", "acc", 0.6));
        assertEquals("baseline: no row matches any cell of results",
                assertThrows(ResultsException.class, () -> GATE.check(results, unrelated, "fp16")).getMessage());
    }

    @Test
    void severalPathsOfOneFormatAreToldApart() {
        GateReport report = selfCheck(
                row("m", 2, "fp16", "fake", "piqa", "acc", 0.62),
                row("m", 2, INT4, "fake", "piqa", "acc", 0.62),
                row("m", 2, INT4, "ring", "piqa", "acc", 0.60));
        assertEquals(List.of("m tp=2 int4-asym-g128/ring piqa acc: 62.00 -> 60.00 (-2.00 pt > 1.00 pt)"),
                report.violations());
    }

    @ParameterizedTest(name = "\"{0}\", \"{1}\"")
    @CsvSource({"0.5%, 1.0, 0.005, 1.0", "2 %, 1.5pt, 0.02, 1.5", "0%, 0, 0.0, 0.0", ".25%, 3, 0.0025, 3.0"})
    void thresholdsParse(String ppl, String acc, double rel, double points) {
        GateThresholds t = GateThresholds.parse(ppl, acc);
        assertEquals(rel, t.maxPplIncreaseRel().getAsDouble(), 1e-15);
        assertEquals(points, t.maxAccDropPoints().getAsDouble(), 1e-15);
    }

    @Test
    void ambiguousThresholdsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GateThresholds.parse("0.005", "1.0"));
        assertEquals("--max-ppl-increase must be a percentage such as 0.5%, got '0.005'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GateThresholds.parse("0.5%", "1%"));
        assertEquals("--max-acc-drop must be in accuracy points such as 1.0 or 1.0pt, got '1%'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GateThresholds.parse("-1%", "1"));
        assertThrows(IllegalArgumentException.class, () -> GateThresholds.parse("0.5%", "-1"));
        assertThrows(IllegalArgumentException.class, () -> GateThresholds.parse("abc%", "1"));
        assertThrows(IllegalArgumentException.class, () -> GateThresholds.parse("", "1"));
        assertEquals("give at least one bound: --max-ppl-increase, --max-acc-drop or --min-recovery",
                assertThrows(IllegalArgumentException.class, () -> GateThresholds.parse(null, null)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GateThresholds(Double.NaN, 1));
    }
}
