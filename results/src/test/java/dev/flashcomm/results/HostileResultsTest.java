package dev.flashcomm.results;

import static dev.flashcomm.results.Rows.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Output targets and results files as an attacker or a spreadsheet would leave them (issue 14). */
class HostileResultsTest {

    private static final List<ResultRow> ROWS = List.of(row("m", 2, "fp16", "piqa", "acc", 0.6),
            row("m", 2, "int4", "piqa", "acc", 0.59));

    @TempDir
    Path dir;

    @Test
    void symlinkTargetIsRefusedAndLeftAlone() throws IOException {
        Path real = Files.writeString(dir.resolve("real.csv"), "precious", StandardCharsets.UTF_8);
        Path link = Files.createSymbolicLink(dir.resolve("out.csv"), real);
        ResultsException e = assertThrows(ResultsException.class, () -> ResultsCsv.write(link, ROWS));
        assertTrue(e.getMessage().startsWith(link + ": is a symbolic link"), e.getMessage());
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("precious", Files.readString(real));
        assertEquals(List.of("out.csv", "real.csv"), names(), "no temporary file left behind");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"mkfifo, FIFO", "mknod, device"})
    void specialFileTargetIsRefusedAndKept(String tool, String kind) throws Exception {
        Path special = dir.resolve("items.csv");
        List<String> cmd = tool.equals("mkfifo") ? List.of("mkfifo", special.toString())
                : List.of("mknod", special.toString(), "c", "1", "3"); // the device /dev/null is
        assumeTrue(new ProcessBuilder(cmd).start().waitFor() == 0, () -> tool + " is not permitted here");
        ResultsException e = assertThrows(ResultsException.class, () -> ItemsCsv.write(special,
                Map.of(ROWS.get(0).cell(), List.of(new ItemScore(0, 1, 1)))));
        assertTrue(e.getMessage().contains(kind), e.getMessage());
        assertTrue(Files.exists(special, LinkOption.NOFOLLOW_LINKS)
                && !Files.isRegularFile(special, LinkOption.NOFOLLOW_LINKS), "the special file is still there");
    }

    @Test
    void regularFileIsReplaced() throws IOException {
        Path out = Files.writeString(dir.resolve("results.csv"), "old", StandardCharsets.UTF_8);
        ResultsCsv.write(out, ROWS);
        assertEquals(2, ResultsCsv.read(out).size());
    }

    @Test
    void twoOutputsNamingOneFileAreRefused() {
        Map<String, Path> outputs = new LinkedHashMap<>();
        outputs.put("--out", dir.resolve("f.csv"));
        outputs.put("--items", dir.resolve("sub/../f.csv"));
        outputs.put("--diagnostics", null);
        ResultsException e = assertThrows(ResultsException.class, () -> OutputFiles.requireDistinct(outputs));
        assertTrue(e.getMessage().startsWith("--out and --items name the same file"), e.getMessage());
    }

    @Test
    void permissionProblemSaysSo() throws IOException {
        Path ro = Files.createDirectories(dir.resolve("ro"));
        assumeTrue(ro.toFile().setWritable(false, false));
        try {
            // root ignores the mode bits; then there is nothing to test here
            assumeTrue(!Files.isWritable(ro), "running as root");
            ResultsException e = assertThrows(ResultsException.class,
                    () -> OutputFiles.createDirectories(ro.resolve("cache"), "output directory"));
            assertTrue(e.getMessage().contains("permission denied"), e.getMessage());
        } finally {
            ro.toFile().setWritable(true, false);
        }
    }

    @Test
    void aDeniedWriteIsCalledAPermissionProblem() {
        String why = OutputFiles.describe(new java.nio.file.AccessDeniedException("/out/cache"));
        assertTrue(why.startsWith("permission denied on /out/cache"), why);
    }

    @Test
    void byteOrderMarkBeforeTheHeaderIsIgnored() throws IOException {
        Path out = dir.resolve("results.csv");
        ResultsCsv.write(out, ROWS);
        byte[] body = Files.readAllBytes(out);
        byte[] withBom = new byte[body.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(body, 0, withBom, 3, body.length);
        Files.write(out, withBom);
        GateReport report = new Gate(new GateThresholds(0.01, 2.0)).check(out, null, "fp16");
        assertTrue(report.passed());
        assertEquals(1, report.checked());
    }

    @Test
    void invalidUtf8IsNamed() throws IOException {
        Path out = dir.resolve("results.csv");
        ResultsCsv.write(out, ROWS);
        byte[] body = Files.readAllBytes(out);
        body[body.length - 3] = (byte) 0xFF; // inside the last row
        Files.write(out, body);
        ResultsException e = assertThrows(ResultsException.class, () -> ResultsCsv.read(out));
        assertEquals(out + ": not valid UTF-8", e.getMessage());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"acc, 7.5", "acc, -0.1", "perplexity, -5", "perplexity, 0.5"})
    void impossibleValuesAreBadInputNotAPass(String metric, double value) {
        String task = metric.equals("acc") ? "piqa" : "ppl:wiki";
        double base = metric.equals("acc") ? 0.6 : 10;
        List<ResultRow> rows = List.of(row("m", 2, "fp16", task, metric, base), row("m", 2, "int4", task, metric,
                value));
        ResultsException e = assertThrows(ResultsException.class,
                () -> new Gate(new GateThresholds(0.01, 2.0)).check(rows, null, "fp16"));
        assertTrue(e.getMessage().contains("is not a possible " + metric), e.getMessage());
    }

    private List<String> names() throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
