package dev.flashcomm.eval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashcomm.eval.Fixtures;
import dev.flashcomm.eval.sweep.TinySweep;
import dev.flashcomm.results.CommErrorRow;
import dev.flashcomm.results.CommErrorsCsv;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.results.ResultsCsv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --moe-parallel}, {@code --dispatch-comm}, {@code --combine-comm} and the dispatch/combine sites from the
 * command line, on qwen3-moe-tiny (4 layers, layer 1 dense; 16 experts, top 4; H = 256) and two 64-token windows of
 * the bundled stories: one forward of T = 128 tokens at TP 2.
 */
class ExpertParallelCliTest {

    /** qwen3-moe-tiny: experts per token. */
    static final int TOP_K = 4;
    static final int HIDDEN = 256;
    /** Two windows of 64 in one forward (--batch defaults to 4). */
    static final int TOKENS = 2 * 64;

    @TempDir
    Path tmp;

    static String moeModel() {
        return Fixtures.shared("models/qwen3-moe-tiny").toString();
    }

    static String stories() {
        return TinySweep.demo("stories.txt").toString();
    }

    /**
     * deepep-ll: bf16 all-reduces, fp8 dispatch, bf16 combine. The diagnostics hold, per layer, the attention
     * all-reduce; on layer 1 (dense) the MLP all-reduce; on the sparse layers 0, 2 and 3 a dispatch row of T·H
     * elements and a combine row of T·k·H (one expert output per pair). A dispatch row's EXPERT_LOAD is the pairs
     * each rank's experts computed: T·k = 128 · 4 = 512 in all, split over the two ranks; every other row has none.
     */
    @Test
    void deepepWritesLegRowsWithTheExpertLoad() throws IOException {
        Path diagnostics = tmp.resolve("diagnostics.csv");
        Path csv = tmp.resolve("results.csv");
        CliRun run = CliRun.of("ppl", "--model", moeModel(), "--data", stories(), "--seq-len", "64", "--limit", "2",
                "--tp", "2", "--moe-parallel", "ep", "--comm", "deepep-ll", "--diagnostics", diagnostics.toString(),
                "--out", csv.toString());
        assertEquals(0, run.exitCode(), run.transcript());
        List<CommErrorRow> rows = CommErrorsCsv.read(diagnostics);
        assertEquals(List.of("0 attn bf16", "0 combine bf16", "0 dispatch fp8-e4m3-g128-sfp32", "1 attn bf16",
                "1 mlp bf16", "2 attn bf16", "2 combine bf16", "2 dispatch fp8-e4m3-g128-sfp32", "3 attn bf16",
                "3 combine bf16", "3 dispatch fp8-e4m3-g128-sfp32"),
                rows.stream().map(r -> r.layer() + " " + r.site() + " " + r.format()).toList());
        for (CommErrorRow r : rows) {
            switch (r.site()) {
                case "dispatch" -> {
                    long[] load = Arrays.stream(r.expertLoad().split("/")).mapToLong(Long::parseLong).toArray();
                    assertEquals(2, load.length, "one count per rank: " + r);
                    assertEquals((long) TOKENS * TOP_K, load[0] + load[1], "T·k pairs: " + r);
                    assertTrue(load[0] > 0 && load[1] > 0, "both ranks' experts work: " + r);
                    assertEquals((long) TOKENS * HIDDEN, r.elements(), r.toString());
                    assertTrue(r.relativeL2() > 0 && r.relativeL2() < 0.1, "fp8 rounds, a few percent: " + r);
                }
                case "combine" -> {
                    assertEquals("", r.expertLoad(), r.toString());
                    assertEquals((long) TOKENS * TOP_K * HIDDEN, r.elements(), r.toString());
                }
                default -> assertEquals("", r.expertLoad(), r.toString());
            }
        }
        ResultRow result = ResultsCsv.read(csv).get(0);
        assertEquals("deepep-ll", result.comm());
        assertTrue(result.settings().endsWith(";dispatch=fp8-e4m3-g128-sfp32;combine=bf16;moe=ep"), result.settings());
        // the routing-independent part of one window's traffic: 5 bf16 rings (4 attention, 1 dense MLP) of
        // [64, 256] at TP 2, each 2·(2-1) chunks of 64·256/2 elements, 2 bytes: 32768. The legs add to that.
        assertTrue(result.bytesPerForward() > 5 * 32768L, "the legs move bytes: " + result.bytesPerForward());

        // the report reads the leg rows (EXPERT_LOAD included) and draws them in the error heatmap
        CliRun report = CliRun.of("report", "--dir", tmp.toString());
        assertEquals(0, report.exitCode(), report.transcript());
        try (Stream<Path> pngs = Files.list(tmp.resolve("report"))) {
            assertTrue(pngs.anyMatch(p -> p.getFileName().toString().startsWith("errors-")), report.transcript());
        }
    }

    /**
     * {@code --compress-sites dispatch}: the dispatch leg gets its format, the combine leg (outside the scope) stays
     * bf16 even though fp8 was asked for it, and the all-reduces (outside too) use int8's 16-bit fallback, fp16.
     */
    @Test
    void compressSitesDispatchLeavesCombineInBf16() {
        Path diagnostics = tmp.resolve("diagnostics.csv");
        CliRun run = CliRun.of("ppl", "--model", moeModel(), "--data", stories(), "--seq-len", "64", "--limit", "2",
                "--moe-parallel", "ep", "--comm", "int8", "--dispatch-comm", "fp8-e4m3-g128-se8m0",
                "--combine-comm", "fp8-e4m3-g128-sfp32", "--compress-sites", "dispatch",
                "--diagnostics", diagnostics.toString());
        assertEquals(0, run.exitCode(), run.transcript());
        Map<String, List<String>> formats = CommErrorsCsv.read(diagnostics).stream().collect(Collectors.groupingBy(
                CommErrorRow::site, Collectors.mapping(CommErrorRow::format, Collectors.toList())));
        assertEquals(List.of("fp8-e4m3-g128-se8m0", "fp8-e4m3-g128-se8m0", "fp8-e4m3-g128-se8m0"),
                formats.get("dispatch"));
        assertEquals(List.of("bf16", "bf16", "bf16"), formats.get("combine"));
        assertEquals(List.of("fp16", "fp16", "fp16", "fp16"), formats.get("attn"));
        assertEquals(List.of("fp16"), formats.get("mlp"));
        assertTrue(run.out().contains("dispatch=fp8-e4m3-g128-se8m0;combine=fp8-e4m3-g128-sfp32"), run.transcript());
        assertTrue(run.out().contains("scope=dispatch@all"), run.transcript());
    }

    @Test
    void unknownMoeParallelIsAOneLineUsageError() {
        // picocli converts the value before anything is opened: no fixtures needed
        CliRun ppl = CliRun.of("ppl", "--model", tmp.resolve("model").toString(), "--data", tmp.resolve("d").toString(),
                "--moe-parallel", "bogus");
        assertBadInput(ppl, "--moe-parallel", "'bogus'", "expected tp or ep");
        CliRun sweep = CliRun.of("sweep", "--model", tmp.resolve("model").toString(), "--ppl", "s=" + tmp.resolve("d"),
                "--out", tmp.resolve("out").toString(), "--moe-parallel", "EPX");
        assertBadInput(sweep, "--moe-parallel", "'EPX'", "expected tp or ep");
    }

    /** A leg is quantized once: int6 (4-bit then 8-bit) is refused for it, on a dense model too (bundled). */
    @Test
    void twoWidthLegFormatIsAOneLineError() {
        CliRun dispatch = CliRun.of("ppl", "--model", TinySweep.model().toString(), "--data", stories(),
                "--seq-len", "64", "--limit", "1", "--dispatch-comm", "int6");
        assertBadInput(dispatch, "--dispatch-comm int6-asym-g128", "quantized once");
        CliRun combine = CliRun.of("sweep", "--model", TinySweep.model().toString(), "--ppl", "s=" + stories(),
                "--seq-len", "64", "--max-windows", "1", "--out", tmp.resolve("out").toString(),
                "--combine-comm", "int4:8");
        assertBadInput(combine, "--combine-comm int6-asym-g128", "quantized once");
    }

    /**
     * The cache: a MoE model's cells under {@code --moe-parallel ep} and under {@code tp} are different
     * measurements (different keys, both kept), while a dense model ignores the option (the same key: resumed).
     */
    @Test
    void moeParallelSplitsTheCacheOfMoeModelsOnly() {
        Path out = tmp.resolve("out");
        List<String> args = new ArrayList<>(List.of("sweep", "--model", moeModel(), "--model",
                TinySweep.model().toString(), "--tp", "2", "--comm", "bf16", "--ppl", "stories=" + stories(),
                "--seq-len", "64", "--max-windows", "1", "--out", out.toString(), "--moe-parallel"));
        // 2 models x (fp16 baseline, bf16) = 4 cells
        CliRun tp = sweep(args, "tp");
        assertTrue(tp.out().contains("cells       4 measured, 0 resumed"), tp.transcript());
        List<ResultRow> tpRows = ResultsCsv.read(out.resolve("results.csv"));
        assertTrue(tpRows.stream().noneMatch(r -> r.settings().contains(";moe=")), tpRows.toString());

        CliRun ep = sweep(args, "ep");
        assertTrue(ep.out().contains("cells       2 measured, 2 resumed"), "llama3-tiny's two cells resumed, "
                + "qwen3-moe-tiny's measured again\n" + ep.transcript());
        List<ResultRow> epRows = ResultsCsv.read(out.resolve("results.csv"));
        for (ResultRow r : epRows) {
            boolean moe = r.model().equals("qwen3-moe-tiny");
            assertEquals(moe, r.settings().endsWith(";moe=ep"), r.toString());
            if (!moe) {
                assertTrue(tpRows.contains(r), "a dense model's row is the resumed one: " + r);
            }
        }

        CliRun tpAgain = sweep(args, "tp");
        assertTrue(tpAgain.out().contains("cells       0 measured, 4 resumed"),
                "the tp cells were not overwritten by the ep ones\n" + tpAgain.transcript());
    }

    private static CliRun sweep(List<String> args, String moeParallel) {
        List<String> all = new ArrayList<>(args);
        all.add(moeParallel);
        CliRun run = CliRun.of(all.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.transcript());
        return run;
    }

    /** Exit 2 and exactly one {@code flashcomm: } line on stderr that contains every fragment, no stack trace. */
    private static void assertBadInput(CliRun run, String... fragments) {
        assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run::transcript);
        List<String> lines = run.errLines();
        assertEquals(1, lines.size(), () -> "exactly one line on stderr\n" + run.transcript());
        String line = lines.get(0);
        assertTrue(line.startsWith("flashcomm: "), () -> "prefix\n" + run.transcript());
        for (String f : fragments) {
            assertTrue(line.contains(f), () -> "stderr should contain '" + f + "'\n" + run.transcript());
        }
        assertFalse(run.err().contains("Exception"), () -> "exception text leaked\n" + run.transcript());
        assertFalse(run.out().contains("load "), () -> "refused before loading a model\n" + run.transcript());
    }

    /**
     * Routing agreement: {@code ppl --baseline fp16 --diagnostics} writes one router row per sparse layer (0, 2, 3;
     * layer 1 is dense) for each cell, ELEMENTS the tokens routed (two windows of 64), ROUTING_CHANGED 0 for the
     * baseline itself and more for int2, which moves the router's input far enough to flip some expert choices
     * (measured 51-72 % on 16 windows of 256 at TP 4). The report draws it.
     */
    @Test
    void routingAgreementIsOneRouterRowPerSparseLayer() throws IOException {
        Path diagnostics = tmp.resolve("diagnostics.csv");
        CliRun run = CliRun.of("ppl", "--model", moeModel(), "--data", stories(), "--seq-len", "64", "--limit", "2",
                "--tp", "2", "--comm", "int2", "--baseline", "fp16", "--diagnostics", diagnostics.toString(),
                "--out", tmp.resolve("results.csv").toString());
        assertEquals(0, run.exitCode(), run.transcript());
        List<CommErrorRow> router = CommErrorsCsv.read(diagnostics).stream()
                .filter(r -> r.site().equals(CommErrorRow.ROUTER)).toList();
        assertEquals(List.of("fp16 0", "fp16 2", "fp16 3", "int2-asym-g128 0", "int2-asym-g128 2",
                "int2-asym-g128 3"), router.stream().map(r -> r.comm() + " " + r.layer()).toList());
        for (CommErrorRow r : router) {
            assertEquals(TOKENS, r.elements(), r.toString());
            if (r.comm().equals("fp16")) {
                assertEquals(0.0, r.routingChanged(), r.toString());
            } else {
                assertTrue(r.routingChanged() > 0 && r.routingChanged() <= 1, r.toString());
            }
        }
        CliRun report = CliRun.of("report", "--dir", tmp.toString(), "--diagnostics", diagnostics.toString());
        assertEquals(0, report.exitCode(), report.transcript());
        try (Stream<Path> pngs = Files.list(tmp.resolve("report"))) {
            assertTrue(pngs.anyMatch(p -> p.getFileName().toString().startsWith("routing-")), report.transcript());
        }
    }

    /** The expert options say once where they do nothing, and change nothing there. */
    @Test
    void expertOptionsWithoutExpertsOrWithoutEpAreNoted() {
        CliRun dense = CliRun.of("ppl", "--model", TinySweep.model().toString(), "--data", stories(), "--seq-len",
                "64", "--limit", "2", "--moe-parallel", "ep");
        assertEquals(0, dense.exitCode(), dense.transcript());
        assertTrue(dense.transcript().contains("note: --moe-parallel ep: llama3-tiny has no experts and runs as usual"),
                dense.transcript());
        CliRun tp = CliRun.of("ppl", "--model", moeModel(), "--data", stories(), "--seq-len", "64", "--limit", "2",
                "--dispatch-comm", "fp8-e4m3-g128-sfp32");
        assertEquals(0, tp.exitCode(), tp.transcript());
        assertTrue(tp.transcript().contains("note: --dispatch-comm/--combine-comm only act with --moe-parallel ep"),
                tp.transcript());
    }
}
