package dev.flashcomm.eval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.flashcomm.results.ResultRow;
import dev.flashcomm.results.ResultsCsv;
import dev.flashcomm.tp.comm.CommPreset;
import dev.flashcomm.tp.comm.CommPresets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code flashcomm presets}, and presets and the new communication options through {@code ppl}. */
class CommPresetsCliTest {

    /** The bundled demo model (4 layers, hidden 256), from the eval module directory the tests run in. */
    private static final Path MODEL = Path.of("..", "models", "llama3-tiny");

    @TempDir
    Path tmp;

    @Test
    void presetsListsEveryPresetWithItsSource() {
        CliRun run = CliRun.of("presets");
        assertEquals(0, run.exitCode(), run.transcript());
        for (CommPreset p : CommPresets.all()) {
            assertTrue(run.out().contains(p.name() + "\n  format      " + p.format().name()), p.name());
            assertTrue(run.out().contains("  source      " + p.source()), p.name());
        }
        assertTrue(run.out().contains("min bytes   tp2:1048576,tp4:2097152,tp8:2097152 (other TP degrees: never compressed)"));
    }

    private CliRun ppl(String... extra) throws IOException {
        assumeTrue(Files.isDirectory(MODEL), () -> "skipped: no bundled model at " + MODEL.toAbsolutePath());
        Path corpus = StoriesFixture.writeCorpus(tmp.resolve("c.txt"), 200);
        List<String> args = new java.util.ArrayList<>(List.of("ppl", "--model", MODEL.toString(), "--data",
                corpus.toString(), "--seq-len", "64", "--limit", "2", "--tp", "2"));
        args.addAll(List.of(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    @Test
    void aPresetUnderItsSizeThresholdSendsEverythingInTheFallback() throws IOException {
        Path out = tmp.resolve("r.csv");
        CliRun run = ppl("--comm", "quickreduce-int4", "--out", out.toString());
        assertEquals(0, run.exitCode(), run.transcript());
        // 2 windows of 64 tokens in one batch: [128, 256] partials, a 64 KiB message, under QuickReduce's 1 MiB
        assertTrue(run.out().contains("settings    preset=quickreduce-int4;format=int4-sym-g32;acc=fp16;"
                + "cast=bf16>fp16:inf;min_bytes=tp2:1048576,tp4:2097152,tp8:2097152;fallback=bf16;"), run.transcript());
        ResultRow row = ResultsCsv.read(out).get(0);
        assertEquals("quickreduce-int4", row.comm());
        assertTrue(row.settings().endsWith(";preset=quickreduce-int4;format=int4-sym-g32;acc=fp16;cast=bf16>fp16:inf;"
                + "min_bytes=tp2:1048576,tp4:2097152,tp8:2097152;fallback=bf16;scope=all@all"), row.settings());
        // the bf16 fallback: 2 bytes per element, like an fp16 ring
        assertEquals(2L * (64 * 256 * 2) / 2 * 2 * 4, row.bytesPerForward(), "per window of 64 tokens");
    }

    @Test
    void explicitOptionsOverrideThePresetAndShowInComm() throws IOException {
        Path out = tmp.resolve("r.csv");
        Path diag = tmp.resolve("d.csv");
        CliRun run = ppl("--comm", "quickreduce-int4", "--compress-min-bytes", "0", "--accumulate", "fp32",
                "--comm-path", "packed", "--out", out.toString(), "--diagnostics", diag.toString());
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(run.out().contains("overflows   0 element(s) above 65504 at the bf16>fp16:inf cast"), run.transcript());
        ResultRow row = ResultsCsv.read(out).get(0);
        assertEquals("quickreduce-int4{acc=fp32,min_bytes=0}", row.comm());
        assertEquals("packed", row.commPath());
        assertTrue(row.settings().contains("format=int4-sym-g32;acc=fp32;cast=bf16>fp16:inf;min_bytes=0;"), row.settings());
        // int4 sym g32: 16 code bytes + a 2-byte scale per 32 elements, in both phases
        assertEquals(2L * (64 * 256 / 32 * 18) / 2 * 2 * 4, row.bytesPerForward());
        List<String> lines = Files.readAllLines(diag);
        String header = lines.stream().filter(l -> l.startsWith("MODEL")).findFirst().orElseThrow();
        assertTrue(header.endsWith(",FORMAT,ELEMENTS,REL_L2,MAX_ABS,OVERFLOWS,EXPERT_LOAD,ROUTING_CHANGED"), header);
        // OVERFLOWS 0, and an empty EXPERT_LOAD and ROUTING_CHANGED: a dense model has no experts
        long rows = lines.stream().filter(l -> l.startsWith("llama3-tiny,2,\"quickreduce-int4{acc=fp32,min_bytes=0}\",packed"))
                .filter(l -> l.contains(",int4-sym-g32,") && l.endsWith(",0,,")).count();
        assertEquals(8, rows, String.join("\n", lines));
    }

    @Test
    void floatFormatsRunThroughPpl() throws IOException {
        Path out = tmp.resolve("r.csv");
        CliRun run = ppl("--comm", "fp8-e4m3-g256-sfp32", "--comm-cast", "bf16", "--out", out.toString());
        assertEquals(0, run.exitCode(), run.transcript());
        ResultRow row = ResultsCsv.read(out).get(0);
        assertEquals("fp8-e4m3-g256-sfp32{cast=bf16}", row.comm());
        // one byte per element plus a 4-byte scale per 256, both phases
        assertEquals(2L * (64 * (256 + 4)) / 2 * 2 * 4, row.bytesPerForward());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "--comm-cast|bogus|unknown cast 'bogus'",
        "--comm-cast|bf16:inf|accepted: none, bf16",
        "--accumulate|fp8|unknown accumulation dtype 'fp8'; accepted: fp32, fp16, bf16",
        "--comm|quickreduce-int9|or a preset: quickreduce-int8",
        "--comm|fp8-e4m3-sint8|scale dtype 'int8' is not fp16, fp32 or e8m0",
        "--compress-min-bytes|-5|--compress-min-bytes must be >= 0, got -5",
        "--compress-min-bytes|lots|'lots' is not a long"})
    void badCommunicationOptionsAreOneLineAndExit2(String option, String value, String message) throws IOException {
        CliRun run = ppl(option, value);
        assertEquals(2, run.exitCode(), run.transcript());
        assertEquals(1, run.errLines().size(), run.transcript());
        assertTrue(run.err().contains(message), run.transcript());
    }
}
