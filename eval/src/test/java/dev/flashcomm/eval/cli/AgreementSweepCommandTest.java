package dev.flashcomm.eval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.flashcomm.eval.Slow;
import dev.flashcomm.eval.sweep.TinySweep;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.results.ResultsCsv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sweep --task-file agreement:NAME=FILE} from the command line: its rows, generations.jsonl and the gate. */
@Slow
class AgreementSweepCommandTest {

    private static Path prompts(Path dir) throws IOException {
        return Files.writeString(dir.resolve("prompts.jsonl"), String.join("\n",
                "{\"prompt\": \"Once upon a time, there was a little girl named Lily.\"}",
                "{\"prompt\": \"One day, a small dog named Max found a bone\"}",
                "{\"prompt\": \"Tom and his mom went to the park. Tom saw\"}",
                "{\"prompt\": \"Sue had a big red\"}") + "\n", StandardCharsets.UTF_8);
    }

    private static CliRun sweep(Path prompts, Path out, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("sweep", "--model", TinySweep.model().toString(),
                "--tp", "2", "--comm", "fp16,int2", "--task-file", "agreement:stories=" + prompts,
                "--max-new-tokens", "8", "--out", out.toString()));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    @Test
    void shardsMergeIntoTheGenerationsOfOneSweep(@TempDir Path tmp) throws IOException {
        Path prompts = prompts(tmp);
        Path whole = tmp.resolve("whole");
        Path sharded = tmp.resolve("sharded");
        assertEquals(0, sweep(prompts, whole).exitCode());
        // shard 2 owns only the int2 cell: it generates the baseline for itself
        for (String shard : List.of("2/2", "1/2")) {
            CliRun part = sweep(prompts, sharded, "--shard", shard);
            assertEquals(0, part.exitCode(), part.transcript());
        }
        CliRun merge = CliRun.of("merge", "--dir", sharded.toString());
        assertEquals(0, merge.exitCode(), merge.transcript());
        assertTrue(merge.out().contains("wrote       " + sharded.resolve("generations.jsonl")), merge.transcript());
        assertEquals(Files.readAllLines(whole.resolve("generations.jsonl")),
                Files.readAllLines(sharded.resolve("generations.jsonl")));
        assertEquals(ResultsCsv.read(whole.resolve("results.csv")).stream().map(ResultRow::withoutComparison)
                .map(r -> r.cell() + " " + r.value()).toList(), ResultsCsv.read(sharded.resolve("results.csv"))
                .stream().map(r -> r.cell() + " " + r.value()).toList());
    }

    @Test
    void agreementRowsGenerationsAndAFailingGate(@TempDir Path tmp) throws IOException {
        Path prompts = prompts(tmp);
        Path out = tmp.resolve("out");
        CliRun sweep = sweep(prompts, out);
        assertEquals(0, sweep.exitCode(), sweep.transcript());
        assertTrue(sweep.out().contains("wrote       " + out.resolve("generations.jsonl")), sweep.transcript());

        List<ResultRow> rows = ResultsCsv.read(out.resolve("results.csv"));
        assertEquals(List.of("fp16 agreement", "fp16 first_divergence", "int2-asym-g128 agreement",
                "int2-asym-g128 first_divergence"), rows.stream().map(r -> r.comm() + " " + r.metric()).toList());
        assertEquals(1.0, rows.get(0).value());
        assertEquals(8.0, rows.get(1).value());
        ResultRow int2 = rows.get(2);
        assertTrue(int2.value() < 1.0, "int2 must change at least one of 4 greedy continuations: " + int2);
        assertEquals("mcnemar", int2.test());
        assertTrue(rows.get(3).value() < 8.0, rows.get(3).toString());

        List<JsonObject> lines = Files.readAllLines(out.resolve("generations.jsonl"), StandardCharsets.UTF_8).stream()
                .map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
        assertEquals(8, lines.size(), "2 cells x 4 prompts");
        JsonObject last = lines.get(7);
        assertEquals("llama3-tiny", last.get("model").getAsString());
        assertEquals(2, last.get("tp").getAsInt());
        assertEquals("int2-asym-g128", last.get("comm").getAsString());
        assertEquals("fake", last.get("comm_path").getAsString());
        assertEquals("agreement:stories", last.get("task").getAsString());
        assertEquals(3, last.get("index").getAsInt());
        assertEquals(8, last.getAsJsonArray("new_ids").size());
        assertEquals("length", last.get("stop_reason").getAsString());
        assertTrue(last.has("prompt_ids") && last.has("text") && last.has("logprobs"), last.toString());

        CliRun gate = CliRun.of("gate", "--results", out.resolve("results.csv").toString(), "--max-acc-drop", "1");
        assertEquals(1, gate.exitCode(), gate.transcript());
        assertTrue(gate.out().lines().anyMatch(l -> l.contains("int2-asym-g128 agreement:stories agreement")
                && l.contains("FAIL")), gate.transcript());
        assertTrue(gate.out().lines().anyMatch(l -> l.contains("first_divergence")
                && l.contains("no --min-recovery bound given")) || !gate.out().contains("first_divergence"),
                gate.transcript());
        CliRun recovery = CliRun.of("gate", "--results", out.resolve("results.csv").toString(), "--min-recovery",
                "0.01");
        assertEquals(0, recovery.exitCode(), recovery.transcript());
        assertTrue(recovery.out().lines().anyMatch(l -> l.contains("first_divergence") && l.contains("pass")),
                recovery.transcript());

        CliRun resumed = sweep(prompts, out);
        assertEquals(0, resumed.exitCode(), resumed.transcript());
        assertTrue(resumed.out().contains("cells       0 measured, 2 resumed"), resumed.transcript());
        assertEquals(lines.stream().map(JsonObject::toString).toList(),
                Files.readAllLines(out.resolve("generations.jsonl"), StandardCharsets.UTF_8).stream()
                        .map(l -> JsonParser.parseString(l).getAsJsonObject().toString()).toList());
    }
}
