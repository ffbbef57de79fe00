package dev.flashcomm.eval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.flashcomm.eval.sweep.TinySweep;
import dev.flashcomm.results.CommErrorsCsv;
import dev.flashcomm.results.ResultsCsv;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ppl --out}: a CSV any reader opens, results.json beside it, diagnostics the report can read. */
class PplOutputsTest {

    @Test
    void writesCsvWithoutCommentsJsonBesideItAndDiagnostics(@TempDir Path tmp) throws Exception {
        Path csv = tmp.resolve("ppl.csv");
        Path errors = tmp.resolve("diagnostics.csv");
        CliRun run = CliRun.of("ppl", "--model", TinySweep.model().toString(), "--data",
                TinySweep.demo("stories.txt").toString(), "--seq-len", "64", "--limit", "2", "--tp", "2", "--comm",
                "int4", "--baseline", "fp16", "--out", csv.toString(), "--diagnostics", errors.toString());
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(Files.readAllLines(csv).get(0).startsWith("MODEL,TP,COMM,"), "header first");
        assertEquals(2, ResultsCsv.read(csv).size());
        assertTrue(run.out().contains("wrote       " + tmp.resolve("ppl.json")), run.transcript());
        JsonObject json = JsonParser.parseString(Files.readString(tmp.resolve("ppl.json"))).getAsJsonObject();
        assertEquals(2, json.getAsJsonObject("results").size());
        JsonObject int4 = json.getAsJsonObject("results").getAsJsonObject("llama3-tiny/tp2/int4-asym-g128/ppl:stories");
        assertTrue(int4.get("perplexity,none").getAsDouble() > 1, int4.toString());
        JsonObject flashcomm = json.getAsJsonObject("flashcomm");
        assertTrue(flashcomm.get("command").getAsString().startsWith("flashcomm ppl --model "), flashcomm.toString());
        assertEquals("2", flashcomm.getAsJsonObject("settings").get("max_windows").getAsString(),
                "ppl's --limit is the sweep's --max-windows");
        assertEquals(64, flashcomm.getAsJsonArray("data").get(0).getAsJsonObject().get("sha256").getAsString()
                .length());
        assertEquals(2 * 4 * 2, CommErrorsCsv.read(errors).size(), "fp16 and int4, 4 layers x attention and MLP");
    }
}
