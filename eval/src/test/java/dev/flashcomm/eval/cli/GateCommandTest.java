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
        ResultsCsv.write(file, List.of(rows), List.of("written by GateCommandTest"));
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

    @Test
    void passesWhenEveryCellIsWithinBounds() {
        // +0.4 % perplexity and -0.5 points accuracy, both inside 0.5 % and 1.0 point
        Path file = results("r.csv", row("fp16", "ppl:wiki", "perplexity", 10.0),
                row("int8-asym-g128", "ppl:wiki", "perplexity", 10.04), row("fp16", "piqa", "acc", 0.600),
                row("int8-asym-g128", "piqa", "acc", 0.595));
        CliRun run = gate(file);
        assertEquals(0, run.exitCode(), run.transcript());
        assertEquals("gate passed: 2 cells within bounds (perplexity +0.5%, accuracy -1.0 pt)",
                run.out().strip());
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
        assertEquals(List.of(
                "VIOLATION   llama3-tiny tp=2 int4-asym-g128 ppl:wiki perplexity: 10.000 -> 10.100 (+1.00% > 0.50%)",
                "VIOLATION   llama3-tiny tp=2 int4-asym-g128 piqa acc: 60.00 -> 58.00 (-2.00 pt > 1.00 pt)",
                "gate FAILED: 2 of 3 cells out of bounds (perplexity +0.5%, accuracy -1.0 pt)"), lines);
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
        assertTrue(fail.out().contains("59.00 -> 57.50 (-1.50 pt > 1.00 pt)"), fail.transcript());
    }

    @Test
    void badThresholdsAreUsageErrors() {
        Path file = results("r.csv", row("fp16", "piqa", "acc", 0.6), row("int4-asym-g128", "piqa", "acc", 0.6));
        assertBadInput(CliRun.of("gate", "--results", file.toString(), "--max-ppl-increase", "0.5",
                "--max-acc-drop", "1.0"), "must be a percentage such as 0.5%", "'0.5'");
        assertBadInput(CliRun.of("gate", "--results", file.toString(), "--max-ppl-increase", "0.5%",
                "--max-acc-drop", "1%"), "accuracy points", "'1%'");
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
