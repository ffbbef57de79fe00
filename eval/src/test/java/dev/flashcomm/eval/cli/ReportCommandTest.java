package dev.flashcomm.eval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashcomm.results.BaselineComparison;
import dev.flashcomm.results.CommErrorRow;
import dev.flashcomm.results.CommErrorsCsv;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.results.ResultsCsv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flashcomm report --dir}: the page and its charts from a results directory; bad input is one line. */
class ReportCommandTest {

    @TempDir
    Path tmp;

    private static ResultRow row(String comm, String task, String metric, double value, long bytes) {
        return ResultRow.measured("llama3-tiny", 2, comm, "fake", task, metric, value, 0.01, 100, bytes, 1.0,
                "lm-eval 0-shot", 1, "", "0.1.0");
    }

    @Test
    void writesThePageAndPicksUpTheDiagnosticsTable() {
        ResultsCsv.write(tmp.resolve("results.csv"), BaselineComparison.compare(List.of(
                row("fp16", "piqa", "acc", 0.60, 1600), row("int8-asym-g128", "piqa", "acc", 0.59, 825),
                row("int4-asym-g128", "piqa", "acc", 0.55, 425)), Map.of(), "fp16"));
        CommErrorsCsv.write(tmp.resolve("diagnostics.csv"), List.of(
                new CommErrorRow("llama3-tiny", 2, "int4-asym-g128", "fake", "stories", 0, "attn", "int4-asym-g128",
                        100, 0.05, 0.5, 0),
                new CommErrorRow("llama3-tiny", 2, "int4-asym-g128", "fake", "stories", 0, "mlp", "int4-asym-g128",
                        100, 0.08, 0.7, 0)));
        CliRun run = CliRun.of("report", "--dir", tmp.toString());
        assertEquals(0, run.exitCode(), run.transcript());
        assertEquals("wrote       " + tmp.resolve("report.html") + " (3 charts in " + tmp.resolve("report") + ")",
                run.out().strip());
        assertTrue(Files.isRegularFile(tmp.resolve("report/piqa-acc.png")));
        assertTrue(Files.isRegularFile(tmp.resolve("report/traffic-vs-accuracy.png")));
    }

    @Test
    void badInputIsOneLine() {
        CliRun missingDir = CliRun.of("report", "--dir", tmp.resolve("nope").toString());
        assertEquals(2, missingDir.exitCode(), missingDir.transcript());
        assertEquals(List.of("flashcomm: --dir " + tmp.resolve("nope") + ": not a directory"), missingDir.errLines());
        CliRun noResults = CliRun.of("report", "--dir", tmp.toString());
        assertEquals(2, noResults.exitCode(), noResults.transcript());
        assertEquals(List.of("flashcomm: " + tmp.resolve("results.csv") + ": no such file"), noResults.errLines());
    }
}
