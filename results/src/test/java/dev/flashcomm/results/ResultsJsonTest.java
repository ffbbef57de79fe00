package dev.flashcomm.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsJsonTest {

    static Provenance provenance(String command) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("tp", "2");
        settings.put("batch", "8");
        settings.put("limit", "20");
        settings.put("device", "cpu");
        settings.put("shard", "1/2");
        return new Provenance("0.1.0", command, Instant.parse("2026-12-02T02:50:00Z"),
                List.of(new Provenance.ModelRef("llama3-tiny", "/m/llama3-tiny", "ab12")),
                List.of(new Provenance.DataRef("piqa", "/d/piqa/valid.jsonl", "cd34")), settings,
                Map.of("engine", "PyTorch 2.7.1", "devices", "cpu"), List.of());
    }

    private static List<ResultRow> rows() {
        ResultRow base = ResultRow.measured("llama3-tiny", 2, "fp16", "fake", "piqa", "acc", 0.60, 0.11, 20, 512,
                1.0, "lm-eval 0-shot", 1, "batch=8", "0.1.0");
        ResultRow baseNorm = ResultRow.measured("llama3-tiny", 2, "fp16", "fake", "piqa", "acc_norm", 0.65, 0.1, 20,
                512, 1.0, "lm-eval 0-shot", 1, "batch=8", "0.1.0");
        ResultRow int4 = ResultRow.measured("llama3-tiny", 2, "int4-asym-g128", "packed", "piqa", "acc", 0.55,
                        Double.NaN, 20, 160, 1.0, "lm-eval 0-shot", 1, "batch=8", "0.1.0")
                .withComparison(0.60, OptionalDouble.of(0.5), Significance.MCNEMAR);
        ResultRow ppl = ResultRow.measured("llama3-tiny", 2, "fp16", "fake", "ppl:stories", "perplexity", 12.5, 0.3,
                2550, 4096, 2.0, "gptq-ppl seq_len=256", 1, "seq_len=256", "0.1.0");
        return List.of(base.withComparison(0.60, OptionalDouble.empty(), ""), baseNorm, int4, ppl);
    }

    @Test
    void hasTheShapeOfLmEvalResults(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("results.json");
        CellKey int4 = new CellKey("llama3-tiny", 2, "int4-asym-g128", "piqa", "acc");
        List<ItemScore> scores = List.of(new ItemScore(0, 1, 1), new ItemScore(1, 0, 1));
        ResultsJson.write(file, rows(), Map.of(int4, scores), "fp16", provenance("flashcomm sweep --tp 2"));
        JsonObject doc = JsonParser.parseString(Files.readString(file)).getAsJsonObject();

        String key = "llama3-tiny/tp2/fp16/piqa";
        JsonObject piqa = doc.getAsJsonObject("results").getAsJsonObject(key);
        assertEquals("piqa", piqa.get("alias").getAsString());
        assertEquals(0.60, piqa.get("acc,none").getAsDouble());
        assertEquals(0.11, piqa.get("acc_stderr,none").getAsDouble());
        assertEquals(0.65, piqa.get("acc_norm,none").getAsDouble());
        assertEquals(0.1, piqa.get("acc_norm_stderr,none").getAsDouble());
        String packed = "llama3-tiny/tp2/int4-asym-g128/packed/piqa";
        assertEquals("N/A", doc.getAsJsonObject("results").getAsJsonObject(packed).get("acc_stderr,none")
                .getAsString(), "lm-eval writes N/A where no stderr exists");
        assertEquals(1.0, doc.getAsJsonObject("versions").get(key).getAsDouble());
        assertEquals(0, doc.getAsJsonObject("n-shot").get(key).getAsInt());
        assertTrue(doc.getAsJsonObject("higher_is_better").getAsJsonObject(key).get("acc").getAsBoolean());
        assertFalse(doc.getAsJsonObject("higher_is_better").getAsJsonObject("llama3-tiny/tp2/fp16/ppl:stories")
                .get("perplexity").getAsBoolean());
        assertEquals(20, doc.getAsJsonObject("n-samples").getAsJsonObject(key).get("effective").getAsInt(),
                "without item scores the cell's N");
        assertEquals(2, doc.getAsJsonObject("n-samples").getAsJsonObject(packed).get("effective").getAsInt());
        assertEquals(20, doc.getAsJsonObject("n-samples").getAsJsonObject(key).get("original").getAsInt());
        ResultRow limited = ResultRow.measured("m", 2, "fp16", "fake", "piqa", "acc", 0.5, 0.1, 20, 1, 1,
                "lm-eval 0-shot", 1, "max_len=512;batch=4;limit=20;max_windows=0", "0.1.0");
        assertFalse(ResultsJson.document(List.of(limited), Map.of(), "fp16", provenance("x"))
                .getAsJsonObject("n-samples").getAsJsonObject("m/tp2/fp16/piqa").has("original"),
                "under --limit the task's full size is unknown");
        JsonObject config = doc.getAsJsonObject("configs").getAsJsonObject(key);
        assertEquals("multiple_choice", config.get("output_type").getAsString());
        assertEquals(1.0, config.getAsJsonObject("metadata").get("version").getAsDouble());
        assertEquals("loglikelihood_rolling", doc.getAsJsonObject("configs")
                .getAsJsonObject("llama3-tiny/tp2/fp16/ppl:stories").get("output_type").getAsString());
        assertEquals(8, doc.getAsJsonObject("config").get("batch_size").getAsInt());
        assertEquals(20, doc.getAsJsonObject("config").get("limit").getAsInt());
        assertEquals(Instant.parse("2026-12-02T02:50:00Z").getEpochSecond(), doc.get("date").getAsDouble());
        assertEquals(3, doc.getAsJsonObject("results").size(), "one key per model x tp x comm x path x task");

        JsonObject flashcomm = doc.getAsJsonObject("flashcomm");
        assertEquals("flashcomm sweep --tp 2", flashcomm.get("command").getAsString());
        assertEquals("ab12", flashcomm.getAsJsonArray("models").get(0).getAsJsonObject().get("sha256")
                .getAsString());
        JsonObject cell = flashcomm.getAsJsonObject("cells").getAsJsonObject(packed);
        assertEquals("packed", cell.get("comm_path").getAsString());
        JsonObject acc = cell.getAsJsonObject("metrics").getAsJsonObject("acc");
        assertEquals(-0.05, acc.get("delta").getAsDouble(), 1e-15);
        assertEquals(0.5, acc.get("p_value").getAsDouble());
        assertEquals("mcnemar", acc.get("test").getAsString());
    }

    @Test
    void generationMetricsCarryLmEvalsFilterNamesAndShots() {
        ResultRow strict = ResultRow.measured("m", 2, "fp16", "fake", "gsm8k", "exact_match_strict", 0.25, 0.1, 8, 1,
                1, "lm-eval 5-shot seed=1234 greedy max_gen_toks=256", 3, "limit=8", "0.1.0");
        ResultRow flexible = ResultRow.measured("m", 2, "fp16", "fake", "gsm8k", "exact_match_flexible", 0.5, 0.2, 8,
                1, 1, "lm-eval 5-shot seed=1234 greedy max_gen_toks=256", 3, "limit=8", "0.1.0");
        Map<String, String> settings = new LinkedHashMap<>(provenance("x").settings());
        settings.put("num_fewshot", "5");
        Provenance p = provenance("x");
        Provenance withShots = new Provenance(p.toolVersion(), p.command(), p.date(), p.models(), p.data(), settings,
                p.environment(), p.parts());
        JsonObject doc = ResultsJson.document(List.of(strict, flexible), Map.of(), "fp16", withShots);
        JsonObject r = doc.getAsJsonObject("results").getAsJsonObject("m/tp2/fp16/gsm8k");
        assertEquals(0.25, r.get("exact_match,strict-match").getAsDouble());
        assertEquals(0.1, r.get("exact_match_stderr,strict-match").getAsDouble());
        assertEquals(0.5, r.get("exact_match,flexible-extract").getAsDouble());
        assertEquals(0.2, r.get("exact_match_stderr,flexible-extract").getAsDouble());
        assertEquals(5, doc.getAsJsonObject("n-shot").get("m/tp2/fp16/gsm8k").getAsInt());
        JsonObject config = doc.getAsJsonObject("configs").getAsJsonObject("m/tp2/fp16/gsm8k");
        assertEquals("generate_until", config.get("output_type").getAsString());
        assertEquals(5, config.get("num_fewshot").getAsInt());
        assertEquals(5, doc.getAsJsonObject("config").get("num_fewshot").getAsInt());
        assertEquals(0, ResultsJson.shots("gptq-ppl seq_len=256"));
        assertEquals(25, ResultsJson.shots("lm-eval 25-shot seed=1"));
    }

    @Test
    void provenanceRoundTripsAndMergedKeepsEveryPart(@TempDir Path dir) {
        Path file = dir.resolve("results.part-1-of-2.json");
        Provenance shard = provenance("flashcomm sweep --shard 1/2");
        ResultsJson.write(file, rows(), Map.of(), "fp16", shard);
        assertEquals(shard, ResultsJson.readProvenance(file).orElseThrow());
        assertTrue(ResultsJson.readProvenance(dir.resolve("absent.json")).isEmpty());

        Provenance merged = Provenance.merged("0.1.0", "flashcomm merge --dir out", Instant.EPOCH,
                List.of(shard, provenance("flashcomm sweep --shard 2/2")));
        assertEquals(List.of("flashcomm sweep --shard 1/2", "flashcomm sweep --shard 2/2"),
                merged.parts().stream().map(Provenance::command).toList());
        assertFalse(merged.settings().containsKey("shard"));
        assertEquals("8", merged.settings().get("batch"));
        Path out = dir.resolve("results.json");
        ResultsJson.write(out, rows(), Map.of(), "fp16", merged);
        assertEquals(merged, ResultsJson.readProvenance(out).orElseThrow());
    }

    @Test
    void besideCsvAndBadFiles(@TempDir Path dir) throws IOException {
        assertEquals(dir.resolve("results.json"), ResultsJson.besideCsv(dir.resolve("results.csv")));
        assertEquals(dir.resolve("ppl.json"), ResultsJson.besideCsv(dir.resolve("ppl.CSV")));
        assertEquals(dir.resolve("table.json"), ResultsJson.besideCsv(dir.resolve("table")));
        Path notOurs = Files.writeString(dir.resolve("lm-eval.json"), "{\"results\": {}}");
        assertEquals(notOurs + ": no \"flashcomm\" object: not a flashcomm results.json",
                assertThrows(ResultsException.class, () -> ResultsJson.readProvenance(notOurs)).getMessage());
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"flashcomm\": {\"tool_version\": ");
        assertTrue(assertThrows(ResultsException.class, () -> ResultsJson.readProvenance(broken)).getMessage()
                .startsWith(broken + ": malformed results.json"));
    }
}
