package dev.flashcomm.eval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashcomm.eval.sweep.ModelIdentity;
import dev.flashcomm.eval.sweep.TinySweep;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.results.ResultsCsv;
import dev.flashcomm.results.ResultsJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ppl} is a one-cell sweep: the same experiment run as {@code ppl --baseline fp16 --out} and as {@code sweep}
 * gives the same rows, cell for cell and field for field but the wall time, and {@code gate} takes both files.
 * The compress-sites scope is on so the baseline's normalization (fp16 always on every all-reduce) is exercised.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PplSweepPipelineTest {

    private Path pplFile;
    private Path sweepFile;
    private CliRun ppl;

    @BeforeAll
    void runBoth(@TempDir Path tmp) {
        String model = TinySweep.model().toString();
        String stories = TinySweep.demo("stories.txt").toString();
        pplFile = tmp.resolve("ppl.csv");
        ppl = CliRun.of("ppl", "--model", model, "--data", stories, "--tp", "2", "--comm", "int4",
                "--baseline", "fp16", "--compress-sites", "mlp", "--seq-len", "64", "--limit", "2",
                "--out", pplFile.toString());
        assertEquals(0, ppl.exitCode(), ppl.transcript());
        CliRun sweep = CliRun.of("sweep", "--model", model, "--ppl", stories, "--tp", "2", "--comm", "int4",
                "--compress-sites", "mlp", "--seq-len", "64", "--max-windows", "2", "--out",
                tmp.resolve("sweep").toString());
        assertEquals(0, sweep.exitCode(), sweep.transcript());
        sweepFile = tmp.resolve("sweep/results.csv");
    }

    @Test
    void pplAndSweepWriteTheSameCellsButForWallTime() {
        List<ResultRow> fromPpl = ResultsCsv.read(pplFile);
        List<ResultRow> fromSweep = ResultsCsv.read(sweepFile);
        assertEquals(2, fromPpl.size(), fromPpl.toString());
        assertEquals(List.of("fp16", "int4-asym-g128[mlp@all]"), fromPpl.stream().map(ResultRow::comm).toList(),
                "the baseline is plain fp16 in both, whatever the scope");
        assertEquals(withoutWallTime(fromSweep), withoutWallTime(fromPpl));
        ResultRow int4 = fromPpl.get(1);
        assertTrue(int4.settings().contains("max_windows=2"), "ppl --limit is recorded: " + int4.settings());
        assertTrue(int4.settings().contains("dtype=fp32"), int4.settings());
        assertEquals("paired-bootstrap", int4.test());
    }

    @Test
    void gateTakesThePplFileAsItTakesTheSweepFile() {
        for (Path file : List.of(pplFile, sweepFile)) {
            CliRun gate = CliRun.of("gate", "--results", file.toString(), "--max-ppl-increase", "1000%",
                    "--max-acc-drop", "100");
            assertEquals(0, gate.exitCode(), gate.transcript());
            assertTrue(gate.out().contains("gate passed: 1 of 2 cells (1 metric row) against fp16"),
                    gate.transcript());
        }
    }

    @Test
    void mergeJoinsThePplFileWithTheSweepFileAndGateTakesTheResult(@TempDir Path dir) {
        Path merged = dir.resolve("merged.csv");
        CliRun merge = CliRun.of("merge", "--out", merged.toString(), pplFile.toString(), sweepFile.toString(),
                "--items", sweepFile.resolveSibling("items.csv").toString());
        assertEquals(0, merge.exitCode(), merge.transcript());
        // the same two cells in both files: they agree, so the union is those two, compared again
        assertEquals(withoutWallTime(ResultsCsv.read(pplFile)), withoutWallTime(ResultsCsv.read(merged)));
        CliRun gate = CliRun.of("gate", "--results", merged.toString(), "--max-ppl-increase", "1000%",
                "--max-acc-drop", "100");
        assertEquals(0, gate.exitCode(), gate.transcript());
        CliRun both = CliRun.of("merge", "--dir", dir.toString(), pplFile.toString());
        assertEquals(2, both.exitCode(), both.transcript());
        assertTrue(both.err().contains("either --dir DIR or results files"), both.transcript());
    }

    @Test
    void filesSayWhenWhereAndWithWhatTheyWereMade() throws IOException {
        // in results.json beside the CSV (ppl.csv: ppl.json), which itself starts with its header line
        assertTrue(Files.readAllLines(pplFile, StandardCharsets.UTF_8).get(0).startsWith("MODEL,TP,COMM,"));
        com.google.gson.JsonObject flashcomm = com.google.gson.JsonParser.parseString(Files.readString(
                ResultsJson.besideCsv(pplFile))).getAsJsonObject().getAsJsonObject("flashcomm");
        assertTrue(flashcomm.get("command").getAsString().startsWith("flashcomm ppl --model"), flashcomm.toString());
        assertTrue(flashcomm.get("date").getAsString().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d.*Z"),
                flashcomm.toString());
        assertTrue(flashcomm.getAsJsonObject("environment").get("engine").getAsString().startsWith("PyTorch 2."));
        com.google.gson.JsonObject model = flashcomm.getAsJsonArray("models").get(0).getAsJsonObject();
        assertEquals("llama3-tiny", model.get("name").getAsString());
        assertEquals(ModelIdentity.of(TinySweep.model()), model.get("sha256").getAsString());
        assertEquals("ppl:stories", flashcomm.getAsJsonArray("data").get(0).getAsJsonObject().get("task")
                .getAsString());
        assertTrue(flashcomm.getAsJsonObject("settings").has("seed"), flashcomm.toString());
    }

    @Test
    void pplPrintsTheChangeAgainstItsBaselineAndNoTpOneWarning() {
        assertTrue(ppl.out().contains("baseline    fp16: "), ppl.transcript());
        assertTrue(ppl.out().contains("comm        int4-asym-g128[mlp@all] (fake path)"), ppl.transcript());
        assertFalse(ppl.err().contains("--tp 1"), ppl.transcript());
    }

    @Test
    void batchAutoIsChosenOnceTheModelIsLoadedAndRecorded(@TempDir Path dir) {
        Path csv = dir.resolve("auto.csv");
        CliRun run = CliRun.of("ppl", "--model", TinySweep.model().toString(), "--data",
                TinySweep.demo("stories.txt").toString(), "--seq-len", "64", "--limit", "3", "--batch", "auto",
                "--out", csv.toString());
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(run.err().contains("flashcomm: --batch auto: "), run.transcript());
        ResultRow row = ResultsCsv.read(csv).get(0);
        // at most as many as there are windows: more would be pointless
        assertTrue(row.settings().matches("seq_len=64;batch=[123];max_windows=3;.*"), row.settings());
    }

    private static List<String> withoutWallTime(List<ResultRow> rows) {
        return rows.stream().map(r -> new ResultRow(r.model(), r.tp(), r.comm(), r.commPath(), r.task(), r.metric(),
                r.value(), r.stderr(), r.n(), r.baseline(), r.delta(), r.relDelta(), r.pValue(), r.test(),
                r.bytesPerForward(), 0.0, r.protocol(), r.taskVersion(), r.settings(), r.toolVersion()).toString())
                .toList();
    }
}
