package dev.flashcomm.eval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.flashcomm.eval.Fixtures;
import dev.flashcomm.eval.Slow;
import dev.flashcomm.eval.sweep.TinySweep;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.results.ResultsCsv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GSM8K 5-shot and MMLU with its group rows, from the command line on the bundled model and the shared data. */
@Slow
class FewShotSweepCommandTest {

    private static CliRun sweep(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("sweep", "--model", TinySweep.model().toString(), "--tp", "2",
                "--data-root", Fixtures.shared("data").toString(), "--out", out.toString()));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static List<JsonObject> jsonl(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
    }

    @Test
    void gsm8kGeneratesScoresBothFiltersAndResumes(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        String[] args = {"--tasks", "gsm8k", "--comm", "fp16,int2", "--limit", "3", "--max-gen-toks", "12",
            "--log-samples"};
        CliRun run = sweep(out, args);
        assertEquals(0, run.exitCode(), run.transcript());

        List<ResultRow> rows = ResultsCsv.read(out.resolve("results.csv"));
        assertEquals(List.of("fp16 exact_match_flexible", "fp16 exact_match_strict",
                "int2-asym-g128 exact_match_flexible", "int2-asym-g128 exact_match_strict"),
                rows.stream().map(r -> r.comm() + " " + r.metric()).toList());
        for (ResultRow r : rows) {
            assertEquals("gsm8k", r.task());
            assertEquals(3, r.n());
            assertEquals(3, r.taskVersion());
            assertEquals("lm-eval 5-shot seed=1234 greedy max_gen_toks=12", r.protocol());
            assertTrue(r.value() >= 0 && r.value() <= 1, r.toString());
        }
        assertEquals("mcnemar", rows.get(3).test(), "a generation metric is paired like an accuracy");

        List<JsonObject> generations = jsonl(out.resolve("generations.jsonl"));
        assertEquals(6, generations.size(), "2 cells x 3 questions");
        JsonObject g = generations.get(0);
        assertEquals("gsm8k", g.get("task").getAsString());
        int newTokens = g.getAsJsonArray("new_ids").size();
        assertTrue(newTokens >= 1 && newTokens <= 12, g.toString());
        int promptTokens = g.getAsJsonArray("prompt_ids").size();
        assertEquals(512 - 12, promptTokens, "5-shot prompts are longer than llama3-tiny's 512 positions leave: "
                + "cut to max_length - max_gen_toks from the left");

        Path samples;
        try (var files = Files.list(out.resolve("samples"))) {
            samples = files.filter(f -> f.getFileName().toString().contains("fp16")).findFirst().orElseThrow();
        }
        JsonObject sample = jsonl(samples).get(0);
        assertTrue(sample.get("context").getAsString().startsWith("Question: "), sample.toString());
        assertEquals(5, sample.getAsJsonArray("fewshot_examples").size());
        assertTrue(sample.getAsJsonObject("filtered_resps").has("strict-match"), sample.toString());
        assertTrue(sample.get("target").getAsString().contains("#### "), sample.toString());
        assertEquals(g.get("text").getAsString(), sample.getAsJsonArray("resps").get(0).getAsJsonArray().get(0)
                .getAsString(), "the same generation in both files");

        JsonObject results = JsonParser.parseString(Files.readString(out.resolve("results.json")))
                .getAsJsonObject();
        JsonObject fp16 = results.getAsJsonObject("results").getAsJsonObject("llama3-tiny/tp2/fp16/gsm8k");
        assertTrue(fp16.has("exact_match,strict-match") && fp16.has("exact_match_stderr,flexible-extract"),
                fp16.toString());
        assertEquals(5, results.getAsJsonObject("n-shot").get("llama3-tiny/tp2/fp16/gsm8k").getAsInt());

        CliRun resumed = sweep(out, args);
        assertEquals(0, resumed.exitCode(), resumed.transcript());
        assertTrue(resumed.out().contains("cells       0 measured, 2 resumed"), resumed.transcript());
        assertEquals(generations, jsonl(out.resolve("generations.jsonl")));

        CliRun otherSeed = sweep(tmp.resolve("seed"), "--tasks", "gsm8k", "--comm", "fp16", "--limit", "1",
                "--max-gen-toks", "4", "--num-fewshot", "1", "--fewshot-seed", "7");
        assertEquals(0, otherSeed.exitCode(), otherSeed.transcript());
        assertEquals("lm-eval 1-shot seed=7 greedy max_gen_toks=4",
                ResultsCsv.read(tmp.resolve("seed/results.csv")).get(0).protocol());
    }

    @Test
    void aZeroShotTaskWithShotsSaysOnceWhereItsExamplesComeFromAndLogsThem(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        CliRun run = CliRun.of("sweep", "--model", TinySweep.model().toString(), "--tp", "2", "--comm", "fp16,int4",
                "--tasks", "piqa", "--data-root", TinySweep.demo("tasks").toString(), "--limit", "2",
                "--num-fewshot", "2", "--out", out.toString(), "--log-samples");
        assertEquals(0, run.exitCode(), run.transcript());
        String note = "flashcomm: note: piqa: few-shot examples are drawn from the evaluated file, each document left"
                + " out of its own; lm-eval draws them from the train split";
        assertEquals(1, run.err().lines().filter(l -> l.startsWith(note)).count(), "once for two cells: "
                + run.transcript());
        // Random(1234) draws 3 of the 20 bundled items per document and leaves the document out
        // (python3: r = Random(1234); [r.sample(range(20), 3) for _ in range(2)] -> [14, 3, 0], [2, 18, 1])
        for (String comm : List.of("fp16", "int4-asym-g128")) {
            List<JsonObject> lines = jsonl(out.resolve("samples/llama3-tiny_tp2_" + comm + "_piqa.jsonl"));
            assertEquals(List.of("[14,3]", "[2,18]"), lines.stream()
                    .map(l -> l.getAsJsonArray("fewshot_examples").toString()).toList(), comm);
        }
    }

    @Test
    void mmluScoresEverySubjectAndItsGroups(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        CliRun run = sweep(out, "--tasks", "mmlu", "--comm", "fp16", "--limit", "1", "--num-fewshot", "1");
        assertEquals(0, run.exitCode(), run.transcript());
        List<ResultRow> rows = ResultsCsv.read(out.resolve("results.csv"));
        List<ResultRow> subjects = rows.stream().filter(r -> r.task().startsWith("mmlu_")
                && !List.of("mmlu_stem", "mmlu_humanities", "mmlu_social_sciences", "mmlu_other").contains(r.task()))
                .toList();
        assertEquals(57, subjects.size());
        assertTrue(subjects.stream().allMatch(r -> r.metric().equals("acc") && r.n() == 1
                && r.protocol().equals("lm-eval 1-shot")), subjects.toString());
        double mean = subjects.stream().mapToDouble(ResultRow::value).average().orElseThrow();
        ResultRow mmlu = rows.stream().filter(r -> r.task().equals("mmlu") && r.metric().equals("acc")).findFirst()
                .orElseThrow();
        ResultRow macro = rows.stream().filter(r -> r.task().equals("mmlu") && r.metric().equals("acc_subject_mean"))
                .findFirst().orElseThrow();
        assertEquals(57, mmlu.n());
        assertEquals(mean, mmlu.value(), 1e-12, "one question per subject: both means agree");
        assertEquals(mean, macro.value(), 1e-12);
        assertEquals(4, rows.stream().filter(r -> r.task().startsWith("mmlu_") && r.metric().equals("acc_subject_mean"))
                .count(), "the four category groups");

        // two shards hold some subjects each; merge makes the group rows of the whole
        Path sharded = tmp.resolve("sharded");
        for (String shard : List.of("1/2", "2/2")) {
            CliRun part = sweep(sharded, "--tasks", "mmlu", "--comm", "fp16", "--limit", "1", "--num-fewshot", "1",
                    "--shard", shard);
            assertEquals(0, part.exitCode(), part.transcript());
        }
        CliRun merge = CliRun.of("merge", "--dir", sharded.toString());
        assertEquals(0, merge.exitCode(), merge.transcript());
        assertEquals(rows.stream().map(r -> r.task() + " " + r.metric() + " " + r.value() + " " + r.n()).toList(),
                ResultsCsv.read(sharded.resolve("results.csv")).stream()
                        .map(r -> r.task() + " " + r.metric() + " " + r.value() + " " + r.n()).toList());
    }
}
