package dev.flashcomm.eval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashcomm.eval.sweep.Shard;
import dev.flashcomm.eval.sweep.SweepOutputs;
import dev.flashcomm.eval.sweep.TestProvenance;
import dev.flashcomm.results.CellKey;
import dev.flashcomm.results.ItemScore;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.results.ResultsCsv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flashcomm merge --dir}: shard parts written for the test, joined and compared with their baseline. */
class SweepMergeCommandTest {

    @TempDir
    Path tmp;

    private static final ResultRow FP16_PPL = GateCommandTest.row("fp16", "ppl:w", "perplexity", 10.0);
    private static final ResultRow INT4_PPL = GateCommandTest.row("int4-asym-g128", "ppl:w", "perplexity", 10.5);
    private static final ResultRow FP16_ACC = GateCommandTest.row("fp16", "piqa", "acc", 0.5);
    private static final ResultRow INT4_ACC = GateCommandTest.row("int4-asym-g128", "piqa", "acc", 0.25);

    private static List<ItemScore> acc(int... correct) {
        List<ItemScore> out = new java.util.ArrayList<>();
        for (int i = 0; i < correct.length; i++) {
            out.add(new ItemScore(i, correct[i], 1));
        }
        return out;
    }

    /** The plan the parts below come from: shard 1/2 owns positions 0 and 2, shard 2/2 positions 1 and 3. */
    private static final List<String> PLAN = List.of(FP16_PPL, FP16_ACC, INT4_ACC, INT4_PPL).stream()
            .map(SweepOutputs::cellOf).toList();

    private void part(Path dir, Shard shard, List<ResultRow> rows, Map<CellKey, List<ItemScore>> items) {
        part(dir, shard, rows, items, shard.count() == 2 ? PLAN : rows.stream().map(SweepOutputs::cellOf).toList());
    }

    private void part(Path dir, Shard shard, List<ResultRow> rows, Map<CellKey, List<ItemScore>> items,
                      List<String> plan) {
        SweepOutputs.writePart(dir, shard, new SweepOutputs.Measurements(rows, items), "fp16",
                TestProvenance.of("flashcomm sweep --shard " + shard), plan);
    }

    @Test
    void aPartCopiedOverAnotherIsRefusedNamingTheFile() throws Exception {
        part(tmp, new Shard(1, 2), List.of(FP16_PPL, INT4_ACC), Map.of(INT4_ACC.cell(), acc(0, 0, 1, 0)));
        part(tmp, new Shard(2, 2), List.of(FP16_ACC, INT4_PPL), Map.of(FP16_ACC.cell(), acc(1, 0, 1, 0)));
        Files.copy(tmp.resolve("results.part-1-of-2.csv"), tmp.resolve("results.part-2-of-2.csv"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(tmp.resolve("items.part-1-of-2.csv"), tmp.resolve("items.part-2-of-2.csv"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CliRun run = CliRun.of("merge", "--dir", tmp.toString());
        assertEquals(2, run.exitCode(), run.transcript());
        assertEquals(List.of("flashcomm: " + tmp.resolve("results.part-2-of-2.csv") + ": written by shard 1/2, "
                + "not 2/2 (a copy of another part?); run shard 2/2 again"), run.errLines());
        assertFalse(Files.exists(tmp.resolve("results.csv")));
    }

    @Test
    void aPartMissingACellItOwnsOrFromAnotherPlanIsRefused() {
        part(tmp, new Shard(1, 2), List.of(FP16_PPL), Map.of()); // INT4_ACC (position 2) is missing
        part(tmp, new Shard(2, 2), List.of(FP16_ACC, INT4_PPL), Map.of(FP16_ACC.cell(), acc(1, 0, 1, 0)));
        CliRun run = CliRun.of("merge", "--dir", tmp.toString());
        assertEquals(2, run.exitCode(), run.transcript());
        assertTrue(run.err().contains("results.part-1-of-2.csv: lacks cell " + SweepOutputs.cellOf(INT4_ACC)),
                run.transcript());

        part(tmp, new Shard(1, 2), List.of(FP16_PPL, INT4_ACC), Map.of(INT4_ACC.cell(), acc(0, 0, 1, 0)));
        part(tmp, new Shard(2, 2), List.of(FP16_ACC, INT4_PPL), Map.of(FP16_ACC.cell(), acc(1, 0, 1, 0)),
                PLAN.subList(0, 3));
        run = CliRun.of("merge", "--dir", tmp.toString());
        assertEquals(2, run.exitCode(), run.transcript());
        assertTrue(run.err().contains("results.part-2-of-2.csv: belongs to another sweep"), run.transcript());
    }

    @Test
    void mergesPartsComparesAndPrintsTheSummary() {
        part(tmp, new Shard(1, 2), List.of(FP16_PPL, INT4_ACC), Map.of(INT4_ACC.cell(), acc(0, 0, 1, 0)));
        part(tmp, new Shard(2, 2), List.of(FP16_ACC, INT4_PPL), Map.of(FP16_ACC.cell(), acc(1, 0, 1, 0)));
        CliRun run = CliRun.of("merge", "--dir", tmp.toString());
        assertEquals(0, run.exitCode(), run.transcript());

        List<ResultRow> rows = ResultsCsv.read(tmp.resolve("results.csv"));
        assertEquals(List.of("fp16 piqa", "fp16 ppl:w", "int4-asym-g128 piqa", "int4-asym-g128 ppl:w"),
                rows.stream().map(r -> r.comm() + " " + r.task()).toList());
        ResultRow acc = rows.get(2);
        assertEquals(-0.25, acc.delta().getAsDouble(), 1e-15);
        assertEquals(-0.5, acc.relDelta().getAsDouble(), 1e-15);
        // items 0..3: the baseline alone is right on item 0, no item the other way: McNemar p = 2 * 0.5^1 = 1
        assertEquals("mcnemar", acc.test());
        assertEquals(1.0, acc.pValue().getAsDouble(), 1e-15);
        ResultRow ppl = rows.get(3);
        assertEquals(0.5, ppl.delta().getAsDouble(), 1e-12);
        assertEquals(0.05, ppl.relDelta().getAsDouble(), 1e-12);
        assertEquals("", ppl.test(), "no per-item scores for the perplexity cells, so no test");
        assertTrue(Files.exists(tmp.resolve("items.csv")));
        assertTrue(run.out().contains("25.00 (-25.00)"), run.transcript());
        assertTrue(run.out().contains("10.500 (+5.00%)"), run.transcript());
    }

    /**
     * Parts written before results.json existed: the tool, the command and the shard's identity in {@code #} lines
     * above the header, no JSON beside them; a part of such a sweep without its identity is still refused.
     */
    @Test
    void mergesPartsOfAnEarlierVersion() throws java.io.IOException {
        part(tmp, new Shard(1, 2), List.of(FP16_PPL, INT4_ACC), Map.of(INT4_ACC.cell(), acc(0, 0, 1, 0)));
        part(tmp, new Shard(2, 2), List.of(FP16_ACC, INT4_PPL), Map.of(FP16_ACC.cell(), acc(1, 0, 1, 0)));
        for (String name : List.of("results.part-1-of-2", "results.part-2-of-2", "items.part-1-of-2",
                "items.part-2-of-2")) {
            Path csv = tmp.resolve(name + ".csv");
            List<String> lines = new java.util.ArrayList<>(Files.readAllLines(csv));
            List<String> header = new java.util.ArrayList<>(List.of("# flashcomm 0.1.0",
                    "# command: flashcomm sweep --shard x", "# shard " + name.substring(name.length() - 6)
                            .replace("-of-", "/")));
            PLAN.forEach(c -> header.add("# plan-cell " + c));
            lines.addAll(0, header);
            Files.write(csv, lines);
            Files.deleteIfExists(tmp.resolve("results" + name.substring(name.indexOf('.')) + ".json"));
        }
        CliRun run = CliRun.of("merge", "--dir", tmp.toString());
        assertEquals(0, run.exitCode(), run.transcript());
        assertEquals(4, ResultsCsv.read(tmp.resolve("results.csv")).size());
        assertTrue(Files.readString(tmp.resolve("results.json")).contains("\"command\": \"flashcomm merge --dir "),
                "the merge's own provenance, with no parts to keep");

        Path second = tmp.resolve("results.part-2-of-2.csv");
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(second));
        lines.removeIf(l -> l.startsWith("# shard "));
        Files.write(second, lines);
        CliRun refused = CliRun.of("merge", "--dir", tmp.toString());
        assertEquals(2, refused.exitCode(), refused.transcript());
        assertTrue(refused.err().contains(second + ": carries no shard identity"), refused.transcript());
    }

    @Test
    void partsWithoutBaselineRowsAreBadInput() {
        part(tmp, new Shard(1, 1), List.of(INT4_ACC), Map.of());
        CliRun run = CliRun.of("merge", "--dir", tmp.toString());
        assertEquals(2, run.exitCode(), run.transcript());
        assertEquals(List.of("flashcomm: no fp16 baseline row for " + INT4_ACC.cell() + " (expected "
                + INT4_ACC.cell().withComm("fp16") + ")"), run.errLines());
        assertFalse(Files.exists(tmp.resolve("results.csv")), "nothing written on bad input");
    }

    @Test
    void aMissingPartIsBadInput() {
        part(tmp, new Shard(2, 2), List.of(FP16_ACC), Map.of());
        CliRun run = CliRun.of("merge", "--dir", tmp.toString());
        assertEquals(2, run.exitCode(), run.transcript());
        assertEquals(List.of("flashcomm: " + tmp.resolve("results.part-1-of-2.csv")
                + ": missing; shard 1/2 has not finished"), run.errLines());
    }
}
