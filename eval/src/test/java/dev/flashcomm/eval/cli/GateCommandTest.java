package dev.flashcomm.eval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashcomm.results.ResultRow;
import dev.flashcomm.results.ResultsCsv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code flashcomm gate} on results written for the test: 0 within bounds, 1 out of bounds, 2 bad input. */
class GateCommandTest {

    @TempDir
    Path tmp;

    static ResultRow row(String comm, String task, String metric, double value) {
        String protocol = metric.equals("perplexity") ? "gptq-ppl seq_len=256" : "lm-eval 0-shot";
        return ResultRow.measured("llama3-tiny", 2, comm, "fake", task, metric, value, 0.01, 100, 1000, 1.0,
                protocol, 1, "seq_len=256", "0.1.0");
    }

    private Path results(String name, ResultRow... rows) {
        Path file = tmp.resolve(name);
        ResultsCsv.write(file, List.of(rows));
        return file;
    }

    private CliRun gate(Path results, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("gate", "--results", results.toString(),
                "--max-ppl-increase", "0.5%", "--max-acc-drop", "1.0"));
        args.addAll(List.of(extra));
        return CliRun.of(args.toArray(new String[0]));
    }

    private static void assertBadInput(CliRun run, String... fragments) {
        assertEquals(2, run.exitCode(), run.transcript());
        assertEquals(1, run.errLines().size(), run.transcript());
        for (String f : fragments) {
            assertTrue(run.errLines().get(0).contains(f), "expected '" + f + "' in: " + run.errLines().get(0));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "NaN     | VALUE: 'NaN' is not a finite number",
        "Infinity| VALUE: 'Infinity' is not a finite number",
        "1e309   | VALUE: '1e309' is out of the range of a double",
        "0x1p-2  | VALUE: bad number '0x1p-2'",
        "0.5d    | VALUE: bad number '0.5d'"})
    void aValueNoRunWritesIsBadInputNotAGateFailure(String value, String message) throws IOException {
        Path file = results("r.csv", row("fp16", "piqa", "acc", 0.6), row("int8-asym-g128", "piqa", "acc", 0.59));
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(file));
        lines.set(2, lines.get(2).replace(",0.59,", "," + value + ","));
        Files.write(file, lines);
        assertBadInput(gate(file), file + ":3: " + message);
    }

    @Test
    void passesWhenEveryCellIsWithinBounds() {
        // +0.4 % perplexity and -0.5 points accuracy, both inside 0.5 % and 1.0 point
        Path file = results("r.csv", row("fp16", "ppl:wiki", "perplexity", 10.0),
                row("int8-asym-g128", "ppl:wiki", "perplexity", 10.04), row("fp16", "piqa", "acc", 0.600),
                row("int8-asym-g128", "piqa", "acc", 0.595));
        CliRun run = gate(file);
        assertEquals(0, run.exitCode(), run.transcript());
        List<String> lines = run.out().lines().toList();
        assertEquals("gate passed: 2 of 4 cells (2 metric rows) against fp16; 2 fp16 cells are the reference, all "
                + "within bounds (perplexity +0.5%, accuracy -1.0 pt)", lines.get(lines.size() - 1));
        assertTrue(lines.get(0).matches("cell +value +baseline +delta +bound +limit +p +verdict"), lines.get(0));
        assertTrue(lines.get(1).matches("llama3-tiny tp=2 int8-asym-g128 ppl:wiki perplexity +10\\.040 +10\\.000 "
                + "+\\+0\\.40% +10\\.040 +<= 10\\.050 +- +pass"), lines.get(1));
    }

    @Test
    void failsAndPrintsEachViolation() {
        // +1 % perplexity breaks 0.5 %; -2 points accuracy breaks 1.0; the int8 accuracy (-0.5) is fine
        Path file = results("r.csv", row("fp16", "ppl:wiki", "perplexity", 10.0),
                row("int4-asym-g128", "ppl:wiki", "perplexity", 10.1), row("fp16", "piqa", "acc", 0.60),
                row("int4-asym-g128", "piqa", "acc", 0.58), row("int8-asym-g128", "piqa", "acc", 0.595));
        CliRun run = gate(file);
        assertEquals(1, run.exitCode(), run.transcript());
        List<String> lines = run.out().lines().toList();
        assertTrue(lines.get(1).startsWith("llama3-tiny tp=2 int4-asym-g128 ppl:wiki perplexity")
                && lines.get(1).endsWith("FAIL (+1.00% > 0.50%)"), run.transcript());
        assertTrue(lines.get(2).startsWith("llama3-tiny tp=2 int4-asym-g128 piqa acc")
                && lines.get(2).endsWith("FAIL (-2.00 pt > 1.00 pt)"), run.transcript());
        assertTrue(lines.get(3).endsWith(" pass"), run.transcript());
        assertEquals("gate FAILED: 2 of 3 cells out of bounds; 3 of 5 cells (3 metric rows) against fp16; 2 fp16 "
                + "cells are the reference (perplexity +0.5%, accuracy -1.0 pt)", lines.get(4));
    }

    @Test
    void comparesWithABaselineFile() {
        Path release = results("release.csv", row("fp16", "piqa", "acc", 0.60),
                row("int4-asym-g128", "piqa", "acc", 0.59));
        Path better = results("better.csv", row("int4-asym-g128", "piqa", "acc", 0.585));
        Path worse = results("worse.csv", row("int4-asym-g128", "piqa", "acc", 0.575));
        assertEquals(0, gate(better, "--baseline", release.toString()).exitCode());
        CliRun fail = gate(worse, "--baseline", release.toString());
        assertEquals(1, fail.exitCode(), fail.transcript());
        assertTrue(fail.out().contains("FAIL (-1.50 pt > 1.00 pt)"), fail.transcript());
    }

    @Test
    void aResultsFileOfAnEarlierVersionWithCommentLinesStillGates() throws IOException {
        Path file = results("r.csv", row("fp16", "piqa", "acc", 0.60), row("int4-asym-g128", "piqa", "acc", 0.58));
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(file));
        lines.addAll(0, List.of("# flashcomm 0.1.0", "# command: flashcomm sweep --model m"));
        Files.write(file, lines);
        CliRun run = gate(file);
        assertEquals(1, run.exitCode(), run.transcript());
        assertTrue(run.out().contains("FAIL (-2.00 pt > 1.00 pt)"), run.transcript());
    }

    @Test
    void baselineCommTakesTheShortNamesCommTakes() {
        Path file = results("r.csv", row("int8-asym-g128", "piqa", "acc", 0.60),
                row("int4-asym-g128", "piqa", "acc", 0.595));
        CliRun run = gate(file, "--baseline-comm", "int8");
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(run.out().contains("against int8-asym-g128; 1 int8-asym-g128 cell is the reference"),
                run.transcript());
    }

    @Test
    void recoveryConfidenceAndSignificanceFromTheCommandLine() {
        // 100 items each; 0.58 vs 0.60 is a 96.7 % recovery
        Path file = results("r.csv", row("fp16", "piqa", "acc", 0.60), row("int4-asym-g128", "piqa", "acc", 0.58));
        assertEquals(1, CliRun.of("gate", "--results", file.toString(), "--min-recovery", "0.99").exitCode());
        assertEquals(0, CliRun.of("gate", "--results", file.toString(), "--min-recovery", "95%").exitCode());
        CliRun noisy = CliRun.of("gate", "--results", file.toString(), "--min-recovery", "95%", "--confidence",
                "0.95");
        assertEquals(1, noisy.exitCode(), "the Wilson lower bound of 58 % at n = 100 is 49.8 %: " + noisy.transcript());
        assertTrue(noisy.out().contains("judged at 95.0% confidence"), noisy.transcript());
        CliRun untested = CliRun.of("gate", "--results", file.toString(), "--min-recovery", "0.99",
                "--require-significance", "0.05");
        assertEquals(1, untested.exitCode(), "no P_VALUE in this file, so nothing excuses the drop");
        assertTrue(untested.out().contains("no paired test to excuse it"), untested.transcript());
        assertBadInput(CliRun.of("gate", "--results", file.toString()), "give at least one bound");
        assertBadInput(CliRun.of("gate", "--results", file.toString(), "--min-recovery", "2"), "min recovery");
    }

    @Test
    void badThresholdsAreUsageErrors() {
        Path file = results("r.csv", row("fp16", "piqa", "acc", 0.6), row("int4-asym-g128", "piqa", "acc", 0.6));
        assertBadInput(CliRun.of("gate", "--results", file.toString(), "--max-ppl-increase", "0.5",
                "--max-acc-drop", "1.0"), "--max-ppl-increase must be a percentage such as 0.5%", "'0.5'");
        assertBadInput(CliRun.of("gate", "--results", file.toString(), "--max-ppl-increase", "0.5%",
                "--max-acc-drop", "1%"), "--max-acc-drop must be in accuracy points", "'1%'");
    }

    @Test
    void aGateThatChecksNothingIsBadInputNotAPass() {
        Path onlyBaseline = results("r.csv", row("fp16", "piqa", "acc", 0.6), row("fp16", "ppl:w", "perplexity", 9));
        assertBadInput(gate(onlyBaseline), onlyBaseline + ": no comparable cells");
    }

    @Test
    void resultsWithoutBaselineRows() {
        Path file = results("r.csv", row("int4-asym-g128", "piqa", "acc", 0.6));
        assertBadInput(gate(file), "no fp16 baseline rows in " + file);
    }

    @Test
    void baselineFileThatMatchesNothing() {
        Path other = results("other.csv", row("fp16", "hellaswag", "acc", 0.4));
        Path file = results("r.csv", row("int4-asym-g128", "piqa", "acc", 0.6));
        assertBadInput(gate(file, "--baseline", other.toString()), other + ": no row matches any cell of " + file);
    }

    @Test
    void malformedResultsLine() throws IOException {
        Path file = results("r.csv", row("fp16", "piqa", "acc", 0.6), row("int4-asym-g128", "piqa", "acc", 0.6));
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(file));
        lines.set(lines.size() - 1, lines.get(lines.size() - 1).replace(",0.6,", ",sixty,"));
        Files.write(file, lines);
        assertBadInput(gate(file), file + ":" + lines.size() + ": ");
    }

    @Test
    void missingResultsFile() {
        Path missing = tmp.resolve("nope.csv");
        assertBadInput(gate(missing), missing + ": no such file");
    }
}
