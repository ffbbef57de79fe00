package dev.flashcomm.eval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
            "--out", out.toString()};
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
                + "min_bytes=0;fallback=fp16;scope=attn+mlp@all", ppl.settings());
        ResultRow piqa = find(rows, r -> r.comm().equals("fp16") && r.metric().equals("acc_norm"));
        assertEquals("lm-eval 0-shot", piqa.protocol());
        assertEquals(2, piqa.n());
        assertEquals("max_len=512;batch=4;limit=2;dtype=fp32;device=cpu;comm_impl=engine;format=fp16;acc=fp32;cast=none;"
                + "min_bytes=0;fallback=fp16;scope=attn+mlp@all", piqa.settings());

        Map<CellKey, List<ItemScore>> items = ItemsCsv.read(out.resolve("items.csv"));
        assertEquals(rows.stream().map(ResultRow::cell).collect(java.util.stream.Collectors.toSet()),
                items.keySet());
        assertEquals(List.of(63L, 63L), items.get(ppl.cell()).stream().map(ItemScore::weight).toList());
        assertEquals(List.of(0, 1), items.get(piqa.cell()).stream().map(ItemScore::item).toList());

        List<String> header = Files.readAllLines(out.resolve("results.csv"), StandardCharsets.UTF_8).subList(0, 2);
        assertEquals("# flashcomm " + ToolVersion.VERSION, header.get(0));
        assertTrue(header.get(1).startsWith("# command: flashcomm sweep --model "), header.get(1));

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
    }

    private static ResultRow find(List<ResultRow> rows, Predicate<ResultRow> which) {
        List<ResultRow> found = rows.stream().filter(which).toList();
        assertEquals(1, found.size(), found.toString());
        return found.get(0);
    }
}
