package dev.flashcomm.eval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.flashcomm.eval.ToolVersion;
import dev.flashcomm.eval.sweep.TinySweep;
import dev.flashcomm.results.CellKey;
import dev.flashcomm.results.ItemScore;
import dev.flashcomm.results.ItemsCsv;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.results.ResultsCsv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flashcomm sweep} end to end, in process, on the bundled model and demo content. */
class SweepCommandTest {

    @TempDir
    Path tmp;

    @Test
    void sweepWritesComparedResultsItemsAndSummaryAndResumesWhenRunAgain() throws IOException {
        Path out = tmp.resolve("out");
        String[] args = {"sweep", "--model", TinySweep.model().toString(), "--tp", "2", "--comm", "int4",
            "--tasks", "piqa,lambada_openai", "--data-root", TinySweep.demo("tasks").toString(), "--limit", "2",
            "--ppl", "stories=" + TinySweep.demo("stories.txt"), "--seq-len", "64", "--max-windows", "2",
            "--out", out.toString(), "--log-samples"};
        CliRun run = CliRun.of(args);
        assertEquals(0, run.exitCode(), run.transcript());

        List<ResultRow> rows = ResultsCsv.read(out.resolve("results.csv"));
        // 2 formats x (stories perplexity + piqa acc, acc_norm + lambada acc, perplexity)
        assertEquals(10, rows.size(), rows.toString());
        for (ResultRow r : rows) {
            ResultRow base = find(rows, b -> b.comm().equals("fp16") && b.task().equals(r.task())
                    && b.metric().equals(r.metric()));
            assertEquals(base.value(), r.baseline().getAsDouble(), 0.0, r.cell().toString());
            assertEquals(r.value() - base.value(), r.delta().getAsDouble(), 1e-15, r.cell().toString());
            if (r.comm().equals("fp16")) {
                assertEquals(0.0, r.delta().getAsDouble(), r.cell().toString());
                assertEquals("", r.test());
            } else {
                assertEquals("int4-asym-g128", r.comm());
                assertEquals(r.metric().equals("perplexity") ? "paired-bootstrap" : "mcnemar", r.test());
                assertTrue(r.pValue().isPresent(), r.cell().toString());
                assertTrue(r.bytesPerForward() < base.bytesPerForward(), "int4 moves fewer bytes: " + r.cell());
            }
            assertEquals(1, r.taskVersion());
            assertEquals(ToolVersion.VERSION, r.toolVersion());
            assertTrue(r.wallSeconds() > 0, r.cell().toString());
        }
        ResultRow ppl = find(rows, r -> r.comm().equals("fp16") && r.task().equals("ppl:stories"));
        assertEquals("gptq-ppl seq_len=64", ppl.protocol());
        assertEquals(2 * 63, ppl.n(), "two windows of 64 tokens, 63 scored each");
        // fp16 ring at TP 2 sends (2-1)/2 of the tensor twice, 64 x 256 halves, 2 all-reduces x 4 layers
        assertEquals(2 * (64 * 256 * 2) / 2 * 2 * 4, ppl.bytesPerForward());
        assertEquals("seq_len=64;batch=4;max_windows=2;dtype=fp32;device=cpu;comm_impl=engine;format=fp16;acc=fp32;cast=none;"
                + "min_bytes=0;fallback=fp16;scope=all@all", ppl.settings());
        ResultRow piqa = find(rows, r -> r.comm().equals("fp16") && r.metric().equals("acc_norm"));
        assertEquals("lm-eval 0-shot", piqa.protocol());
        assertEquals(2, piqa.n());
        assertEquals("max_len=512;batch=4;limit=2;dtype=fp32;device=cpu;comm_impl=engine;format=fp16;acc=fp32;cast=none;"
                + "min_bytes=0;fallback=fp16;scope=all@all", piqa.settings());

        Map<CellKey, List<ItemScore>> items = ItemsCsv.read(out.resolve("items.csv"));
        assertEquals(rows.stream().map(ResultRow::cell).collect(java.util.stream.Collectors.toSet()),
                items.keySet());
        assertEquals(List.of(63L, 63L), items.get(ppl.cell()).stream().map(ItemScore::weight).toList());
        assertEquals(List.of(0, 1), items.get(piqa.cell()).stream().map(ItemScore::item).toList());

        List<String> lines = Files.readAllLines(out.resolve("results.csv"), StandardCharsets.UTF_8);
        assertTrue(lines.get(0).startsWith("MODEL,TP,COMM,COMM_PATH,TASK,METRIC,VALUE"), "header first: " + lines.get(0));
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("#")), "no comment lines");

        JsonObject json = JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonObject();
        JsonObject flashcomm = json.getAsJsonObject("flashcomm");
        assertTrue(flashcomm.get("command").getAsString().startsWith("flashcomm sweep --model "), flashcomm.toString());
        assertEquals(ToolVersion.VERSION, flashcomm.get("tool_version").getAsString());
        assertEquals(64, flashcomm.getAsJsonArray("models").get(0).getAsJsonObject().get("sha256").getAsString()
                .length(), "the model's content hash");
        assertEquals(3, flashcomm.getAsJsonArray("data").size(), "stories, piqa and lambada, each with its hash");
        assertTrue(flashcomm.getAsJsonObject("environment").get("engine").getAsString().startsWith("PyTorch "));
        assertEquals("2", flashcomm.getAsJsonObject("settings").get("limit").getAsString());
        assertEquals(6, json.getAsJsonObject("results").size(), "one lm-eval task key per cell");
        JsonObject piqaJson = json.getAsJsonObject("results").getAsJsonObject("llama3-tiny/tp2/fp16/piqa");
        assertEquals(piqa.value(), piqaJson.get("acc_norm,none").getAsDouble(), 0.0);
        assertEquals(2, json.getAsJsonObject("n-samples").getAsJsonObject("llama3-tiny/tp2/fp16/piqa")
                .get("effective").getAsInt());

        List<String> samples = Files.readAllLines(out.resolve("samples/llama3-tiny_tp2_int4-asym-g128_piqa.jsonl"));
        assertEquals(2, samples.size(), "one line per item");
        JsonObject item = JsonParser.parseString(samples.get(0)).getAsJsonObject();
        assertEquals(0, item.get("doc_id").getAsInt());
        assertEquals(2, item.getAsJsonArray("continuations").size(), "piqa has two solutions");
        assertEquals(2, item.getAsJsonArray("loglikelihoods").size());
        assertTrue(item.has("context") && item.has("prediction") && item.has("gold") && item.has("acc_norm"),
                item.toString());
        assertEquals(item.getAsJsonArray("loglikelihoods").get(1).getAsDouble(),
                item.getAsJsonArray("filtered_resps").get(1).getAsJsonArray().get(0).getAsDouble(), 0.0,
                "lm-eval's keys hold the same numbers");
        assertTrue(Files.exists(out.resolve("samples/llama3-tiny_tp2_fp16_lambada_openai.jsonl")));
        assertFalse(Files.exists(out.resolve("samples/llama3-tiny_tp2_fp16_ppl-stories.jsonl")),
                "perplexity cells have windows, not items");

        assertTrue(run.out().contains("= 6 cells"), run.transcript());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("model +tp +task +metric +fp16 +int4-asym-g128")),
                "summary table header: " + run.transcript());
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith("llama3-tiny  2   ppl:stories")), run.transcript());
        assertTrue(run.out().contains("cells       6 measured, 0 resumed"), run.transcript());
        assertTrue(run.err().contains("[1/6] llama3-tiny tp=2 fp16 ppl:stories"), run.transcript());
        assertTrue(run.err().contains("sweep [########################] 6/6 cells"), run.transcript());

        CliRun again = CliRun.of(args);
        assertEquals(0, again.exitCode(), again.transcript());
        assertTrue(again.out().contains("cells       0 measured, 6 resumed"), again.transcript());
        assertTrue(again.err().contains("resuming: 6 of 6 cells already in " + out.resolve("cache")),
                again.transcript());
        assertEquals(rows, ResultsCsv.read(out.resolve("results.csv")), "a resumed sweep writes the same rows");
        assertFalse(again.out().contains("kept "), "a rerun replaces nothing it does not reproduce");

        // a narrower sweep into the same directory: the earlier ten rows are kept under their run's start time
        CliRun narrower = CliRun.of("sweep", "--model", TinySweep.model().toString(), "--tp", "2", "--comm", "int4",
                "--tasks", "piqa", "--data-root", TinySweep.demo("tasks").toString(), "--limit", "2",
                "--seq-len", "64", "--max-windows", "2", "--output-path", out.toString());
        assertEquals(0, narrower.exitCode(), narrower.transcript());
        assertTrue(narrower.out().contains("cells       0 measured, 2 resumed"), narrower.transcript());
        List<Path> kept;
        try (java.util.stream.Stream<Path> files = Files.list(out)) {
            kept = files.filter(f -> f.getFileName().toString().matches("results\\.\\d{8}T\\d{6}Z\\.csv")).toList();
        }
        assertEquals(1, kept.size(), narrower.transcript());
        assertTrue(narrower.out().contains("kept        " + kept.get(0)), narrower.transcript());
        assertEquals(rows, ResultsCsv.read(kept.get(0)));
        assertTrue(Files.exists(out.resolve(kept.get(0).getFileName().toString().replace("results.", "items."))));
        assertEquals(4, ResultsCsv.read(out.resolve("results.csv")).size(), "piqa acc and acc_norm, fp16 and int4");
    }

    @Test
    void shardsWritePartsThatMergeIntoTheResults() {
        Path out = tmp.resolve("sharded");
        for (String shard : List.of("1/2", "2/2")) {
            CliRun run = CliRun.of("sweep", "--model", TinySweep.model().toString(), "--comm", "int4",
                    "--task-file", "piqa=" + TinySweep.demo("tasks/piqa/valid.jsonl"), "--limit", "2",
                    "--out", out.toString(), "--shard", shard);
            assertEquals(0, run.exitCode(), run.transcript());
            assertTrue(run.out().contains("= 2 cells, shard " + shard + ": 1"), run.transcript());
            assertTrue(run.out().contains("flashcomm merge --dir " + out), run.transcript());
        }
        CliRun merge = CliRun.of("merge", "--dir", out.toString());
        assertEquals(0, merge.exitCode(), merge.transcript());
        List<ResultRow> rows = ResultsCsv.read(out.resolve("results.csv"));
        assertEquals(List.of("fp16 acc", "fp16 acc_norm", "int4-asym-g128 acc", "int4-asym-g128 acc_norm"),
                rows.stream().map(r -> r.comm() + " " + r.metric()).toList());
        assertTrue(rows.stream().allMatch(r -> r.delta().isPresent()), rows.toString());
        assertTrue(merge.out().contains("piqa"), merge.transcript());
        JsonObject flashcomm = readJson(out.resolve("results.json")).getAsJsonObject("flashcomm");
        assertTrue(flashcomm.get("command").getAsString().startsWith("flashcomm merge --dir "), flashcomm.toString());
        List<String> parts = new java.util.ArrayList<>();
        flashcomm.getAsJsonArray("parts").forEach(p -> parts.add(p.getAsJsonObject().get("command").getAsString()));
        assertEquals(2, parts.size(), flashcomm.toString());
        assertTrue(parts.get(0).startsWith("flashcomm sweep --model ") && parts.get(0).endsWith("--shard 1/2"),
                "the merged results keep the sweep's command line: " + parts);
    }

    private static JsonObject readJson(Path file) {
        try {
            return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (IOException e) {
            throw new AssertionError(file + ": " + e.getMessage(), e);
        }
    }

    private static ResultRow find(List<ResultRow> rows, Predicate<ResultRow> which) {
        List<ResultRow> found = rows.stream().filter(which).toList();
        assertEquals(1, found.size(), found.toString());
        return found.get(0);
    }
}
