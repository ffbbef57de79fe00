package dev.flashcomm.eval.cli;

import static dev.flashcomm.eval.cli.HostileFilesCliTest.assertBadInput;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.flashcomm.eval.sweep.Shard;
import dev.flashcomm.eval.sweep.SweepOutputs;
import dev.flashcomm.eval.sweep.TinySweep;
import dev.flashcomm.results.CellKey;
import dev.flashcomm.results.ItemScore;
import dev.flashcomm.results.ItemsCsv;
import dev.flashcomm.results.Provenance;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.results.ResultsCsv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 28, item 7: parts, items files and baselines joined or compared only when they come from one plan (every
 * setting, the model's and the data's content); otherwise one line naming the file and the setting.
 */
class PlanAgreementCliTest {

    @TempDir
    Path tmp;

    private static ResultRow row(String comm, double value, long n, String settings) {
        return ResultRow.measured("llama3-tiny", 2, comm, "fake", "piqa", "acc", value, 0.1, n, 1000, 1.0,
                "lm-eval 0-shot", 1, settings + ";format=" + comm + ";acc=fp32", "0.1.0");
    }

    private static Provenance provenance(String shard, String limit, String modelHash) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("tp", "2");
        settings.put("limit", limit);
        settings.put("shard", shard);
        return new Provenance("0.1.0", "flashcomm sweep --shard " + shard, Instant.parse("2026-12-02T00:00:00Z"),
                List.of(new Provenance.ModelRef("llama3-tiny", "/m", modelHash)),
                List.of(new Provenance.DataRef("piqa", "/d/piqa.jsonl", "ab12")), settings, Map.of(), List.of());
    }

    private void parts(Provenance second) {
        ResultRow fp16 = row("fp16", 0.5, 4, "limit=4");
        ResultRow int4 = row("int4-asym-g128", 0.25, 4, "limit=4");
        List<String> plan = Stream.of(fp16, int4).map(SweepOutputs::cellOf).toList();
        SweepOutputs.writePart(tmp, new Shard(1, 2), new SweepOutputs.Measurements(List.of(fp16), Map.of()), "fp16",
                provenance("1/2", "4", "c0ffee00aa11bb22"), plan);
        SweepOutputs.writePart(tmp, new Shard(2, 2), new SweepOutputs.Measurements(List.of(int4), Map.of()), "fp16",
                second, plan);
    }

    @Test
    void aShardOfTheSamePlanMerges() {
        parts(provenance("2/2", "4", "c0ffee00aa11bb22"));
        CliRun run = CliRun.of("merge", "--dir", tmp.toString());
        assertEquals(ExitCodes.OK, run.exitCode(), run::transcript);
    }

    @Test
    void aShardRerunWithAnotherSettingIsRefusedNamingPartAndSetting() {
        parts(provenance("2/2", "3", "c0ffee00aa11bb22"));
        assertBadInput(CliRun.of("merge", "--dir", tmp.toString()), tmp.resolve("results.part-2-of-2.json")
                + ": setting limit is '3', not '4' as in results.part-1-of-2.json", "run shard 2/2 again");
        assertFalse(Files.exists(tmp.resolve("results.csv")));
    }

    @Test
    void aShardOfAnotherCheckpointIsRefused() {
        parts(provenance("2/2", "4", "deadbeef99887766"));
        assertBadInput(CliRun.of("merge", "--dir", tmp.toString()), "results.part-2-of-2.json: model llama3-tiny is "
                + "content deadbeef9988..., not content c0ffee00aa11...");
    }

    @Test
    void realShardsRunWithDifferentLimitsAreRefused() throws IOException {
        Path out = tmp.resolve("out");
        for (String[] shard : List.of(new String[] {"1/2", "2"}, new String[] {"2/2", "3"})) {
            CliRun run = CliRun.of("sweep", "--model", StoriesFixture.original().toString(), "--comm", "int4",
                    "--task-file", "arc_easy=" + TinySweep.demo("tasks/arc/arc_easy_test.jsonl"), "--limit", shard[1],
                    "--shard", shard[0], "--out", out.toString());
            assertEquals(ExitCodes.OK, run.exitCode(), run::transcript);
        }
        assertBadInput(CliRun.of("merge", "--dir", out.toString()),
                "results.part-2-of-2.json: setting limit is '3', not '2'");
    }

    @Test
    void anItemsFileOfAnotherRunIsRefused() {
        Path results = tmp.resolve("a.csv");
        ResultsCsv.write(results, List.of(row("fp16", 0.5, 4, "limit=4"), row("int4-asym-g128", 0.25, 4, "limit=4")));
        Path own = tmp.resolve("items.csv");
        ItemsCsv.write(own, Map.of(cell("fp16"), scores(1, 0, 1, 0), cell("int4-asym-g128"), scores(0, 0, 1, 0)));
        CliRun ok = CliRun.of("merge", "--out", tmp.resolve("m.csv").toString(), results.toString(), "--items",
                own.toString());
        assertEquals(ExitCodes.OK, ok.exitCode(), ok::transcript);

        Path limited = tmp.resolve("items-limit3.csv"); // the same cells under --limit 3
        ItemsCsv.write(limited, Map.of(cell("fp16"), scores(1, 0, 1), cell("int4-asym-g128"), scores(0, 0, 1)));
        assertBadInput(CliRun.of("merge", "--out", tmp.resolve("m.csv").toString(), results.toString(), "--items",
                limited.toString()), "--items " + limited + ": the per-item scores of llama3-tiny tp=2 fp16 piqa acc "
                + "are not those of its results row (they weigh 3, the row's N is 4)");

        Path otherModel = tmp.resolve("items-other.csv"); // four items again, other answers
        ItemsCsv.write(otherModel, Map.of(cell("fp16"), scores(1, 1, 1, 0), cell("int4-asym-g128"),
                scores(0, 0, 1, 0)));
        assertBadInput(CliRun.of("merge", "--out", tmp.resolve("m.csv").toString(), results.toString(), "--items",
                otherModel.toString()), "they make acc 0.75, the row's VALUE is 0.5");
    }

    @Test
    void joinedFilesOfDifferentSettingsAreNotCompared() {
        Path fp16 = tmp.resolve("fp16.csv");
        ResultsCsv.write(fp16, List.of(row("fp16", 0.5, 4, "limit=4")));
        Path int4 = tmp.resolve("int4.csv");
        ResultsCsv.write(int4, List.of(row("int4-asym-g128", 0.25, 4, "limit=3")));
        assertBadInput(CliRun.of("merge", "--out", tmp.resolve("m.csv").toString(), fp16.toString(),
                int4.toString()), "int4-asym-g128 piqa acc (fake) was measured with limit=3, its fp16 baseline with "
                + "limit=4");
    }

    @Test
    void gateAgainstABaselineFileOfOtherSettingsIsBadInputNotAVerdict() {
        Path now = tmp.resolve("now.csv");
        ResultsCsv.write(now, List.of(row("fp16", 0.5, 4, "limit=3"), row("int4-asym-g128", 0.5, 4, "limit=3")));
        Path release = tmp.resolve("release.csv");
        ResultsCsv.write(release, List.of(row("fp16", 0.5, 4, "limit=20"), row("int4-asym-g128", 0.5, 4,
                "limit=20")));
        assertBadInput(CliRun.of("gate", "--results", now.toString(), "--baseline", release.toString(),
                "--max-acc-drop", "1"), now + ": llama3-tiny tp=2 fp16 piqa acc", "was measured with limit=3, its "
                + "reference in " + release + " with limit=20");
        ResultsCsv.write(release, List.of(row("fp16", 0.5, 4, "limit=3"), row("int4-asym-g128", 0.5, 4, "limit=3")));
        CliRun same = CliRun.of("gate", "--results", now.toString(), "--baseline", release.toString(),
                "--max-acc-drop", "1");
        assertEquals(ExitCodes.OK, same.exitCode(), same::transcript);
    }

    // ---- 4. a shard's generations lost between the sweep and the merge

    @Test
    void aMissingOrCutGenerationsPartIsRefusedNotDropped() throws IOException {
        Path prompts = Files.writeString(tmp.resolve("prompts.txt"), "Once upon a time\nLily saw a dog\nTom ran\n");
        Path out = tmp.resolve("out");
        for (String shard : List.of("1/2", "2/2")) {
            CliRun run = CliRun.of("sweep", "--model", StoriesFixture.original().toString(), "--comm", "int4",
                    "--task-file", "agreement:s=" + prompts, "--max-new-tokens", "3", "--shard", shard,
                    "--out", out.toString());
            assertEquals(ExitCodes.OK, run.exitCode(), run::transcript);
        }
        Path part = out.resolve("generations.part-2-of-2.jsonl");
        List<String> lines = Files.readAllLines(part);
        assertEquals(3, lines.size(), "shard 2/2 owns the int4 cell: one line per prompt");

        Files.write(part, lines.subList(0, 1));
        assertBadInput(CliRun.of("merge", "--dir", out.toString()), part + ": holds 1 of the 3 generations of "
                + "stories260K tp=2 int4-asym-g128 fake agreement:s (missing or cut short); run shard 2/2 again");
        Files.delete(part);
        assertBadInput(CliRun.of("merge", "--dir", out.toString()), part + ": holds 0 of the 3 generations");
        assertFalse(Files.exists(out.resolve("generations.jsonl")), "nothing written");
        assertFalse(Files.exists(out.resolve("results.csv")), "nothing written");

        Files.write(part, lines);
        CliRun merge = CliRun.of("merge", "--dir", out.toString());
        assertEquals(ExitCodes.OK, merge.exitCode(), merge::transcript);
        assertEquals(6, Files.readAllLines(out.resolve("generations.jsonl")).size());
    }

    private static CellKey cell(String comm) {
        return new CellKey("llama3-tiny", 2, comm, "piqa", "acc");
    }

    private static List<ItemScore> scores(int... correct) {
        List<ItemScore> out = new ArrayList<>();
        for (int i = 0; i < correct.length; i++) {
            out.add(new ItemScore(i, correct[i], 1));
        }
        return out;
    }
}
