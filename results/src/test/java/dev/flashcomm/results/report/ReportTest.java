package dev.flashcomm.results.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashcomm.results.BaselineComparison;
import dev.flashcomm.results.CommErrorRow;
import dev.flashcomm.results.CommErrorsCsv;
import dev.flashcomm.results.Provenance;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.results.ResultsCsv;
import dev.flashcomm.results.ResultsException;
import dev.flashcomm.results.ResultsJson;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code report}: the page and its charts are written, well formed, and the page links only files that exist. */
class ReportTest {

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final List<String> COMMS = List.of("fp16", "int8-asym-g128", "int6-asym-g128", "int4-asym-g128",
            "int2-asym-g128");
    private static final double[] BITS = {16, 8.25, 6.25, 4.25, 2.25};

    /** A sweep's rows as it would measure them: two TP degrees, five formats, an accuracy task and a corpus. */
    static List<ResultRow> sweepRows() {
        List<ResultRow> rows = new ArrayList<>();
        for (int tp : new int[] {2, 4}) {
            for (int c = 0; c < COMMS.size(); c++) {
                double loss = (16 - BITS[c]) / 14.0; // 0 at fp16, 1 at int2
                long bytes = Math.round(4096 * tp * BITS[c] / 16);
                rows.add(ResultRow.measured("llama3-tiny", tp, COMMS.get(c), "fake", "piqa", "acc",
                        0.62 - 0.08 * loss * loss * tp / 2, 0.021, 500, bytes, 1, "lm-eval 0-shot", 1, "", "0.1.0"));
                rows.add(ResultRow.measured("llama3-tiny", tp, COMMS.get(c), "fake", "piqa", "acc_norm",
                        0.64 - 0.06 * loss * loss * tp / 2, 0.021, 500, bytes, 1, "lm-eval 0-shot", 1, "", "0.1.0"));
                rows.add(ResultRow.measured("llama3-tiny", tp, COMMS.get(c), "fake", "ppl:stories", "perplexity",
                        12.0 * (1 + 0.3 * loss * loss * loss * tp / 2), 0.2, 2550, bytes * 64, 1,
                        "gptq-ppl seq_len=256", 1, "", "0.1.0"));
            }
        }
        rows.add(ResultRow.measured("llama3-tiny", 2, "int4-asym-g128", "packed", "piqa", "acc", 0.6, 0.021, 500,
                1088, 1, "lm-eval 0-shot", 1, "", "0.1.0"));
        return BaselineComparison.compare(rows, Map.of(), "fp16");
    }

    static List<CommErrorRow> diagnostics() {
        List<CommErrorRow> rows = new ArrayList<>();
        String[] comms = {"int8-asym-g128", "int4-asym-g128", "int2-asym-g128"};
        double[] scale = {2e-3, 4e-2, 3e-1};
        for (int c = 0; c < comms.length; c++) {
            for (int layer = 0; layer < 4; layer++) {
                for (String site : List.of("attn", "mlp")) {
                    double err = scale[c] * (1 + 0.4 * layer) * (site.equals("mlp") ? 1.8 : 1);
                    rows.add(new CommErrorRow("llama3-tiny", 2, comms[c], "fake", "stories", layer, site, comms[c],
                            1 << 20, err, 10 * err, 0));
                }
            }
        }
        return rows;
    }

    private static Path writeInputs(Path dir) throws IOException {
        Path results = dir.resolve("results.csv");
        ResultsCsv.write(results, sweepRows());
        Files.writeString(dir.resolve("items.csv"), "MODEL,TP,COMM,TASK,METRIC,ITEM,VALUE,WEIGHT\n");
        ResultsJson.write(dir.resolve("results.json"), sweepRows(), Map.of(), "fp16", new Provenance("0.1.0",
                "flashcomm sweep --model models/llama3-tiny --tp 2,4 <&>", Instant.parse("2026-12-02T03:00:00Z"),
                List.of(new Provenance.ModelRef("llama3-tiny", "/x/models/llama3-tiny", "ab12")), List.of(),
                Map.of("batch", "8"), Map.of("engine", "PyTorch 2.7.1"), List.of()));
        return results;
    }

    @Test
    void writesAPageAndWellFormedPngsItLinks(@TempDir Path dir) throws IOException {
        Path results = writeInputs(dir);
        Path errors = dir.resolve("diagnostics.csv");
        CommErrorsCsv.write(errors, diagnostics());

        Report.Written written = Report.write(dir, results, List.of(errors), "fp16");

        assertEquals(dir.resolve("report.html"), written.html());
        List<String> names = written.pngs().stream().map(p -> p.getFileName().toString()).sorted().toList();
        assertEquals(List.of("errors-diagnostics-csv-llama3-tiny-tp-2-on-stories.png", "piqa-acc-norm.png",
                "piqa-acc.png", "ppl-stories-perplexity.png", "traffic-vs-accuracy.png",
                "traffic-vs-perplexity.png"), names);
        for (Path png : written.pngs()) {
            byte[] bytes = Files.readAllBytes(png);
            assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, 8), png + " starts with the PNG signature");
            BufferedImage image = ImageIO.read(png.toFile());
            assertEquals(Report.WIDTH, image.getWidth(), png::toString);
            assertEquals(Report.HEIGHT, image.getHeight(), png::toString);
            assertTrue(distinctColours(image) > 20, png + " is a drawing, not a blank canvas");
        }

        String html = Files.readString(written.html());
        assertTrue(html.startsWith("<!DOCTYPE html>\n<html lang=\"en\">"), html);
        assertTrue(html.endsWith("</body>\n</html>\n"));
        for (String tag : List.of("table", "figure", "div", "dl", "ul", "thead", "tbody", "figcaption")) {
            assertEquals(count(html, "<" + tag + "[ >]"), count(html, "</" + tag + ">"), tag + " elements closed");
        }
        assertFalse(html.contains("http://") || html.contains("https://"), "nothing is fetched from elsewhere");
        assertTrue(html.contains("flashcomm sweep --model models/llama3-tiny --tp 2,4 &lt;&amp;&gt;"),
                "provenance shown and escaped");
        List<String> anchors = references(html).stream().filter(r -> r.startsWith("#")).toList();
        anchors.forEach(a -> assertTrue(html.contains(" id=\"" + a.substring(1) + "\""), a + " has its target"));
        List<String> refs = references(html).stream().filter(r -> !r.startsWith("#")).toList();
        assertEquals(written.pngs().size() + 3, refs.size(), "every chart and the three result files: " + refs);
        for (String ref : refs) {
            assertTrue(Files.isRegularFile(dir.resolve(ref)), ref + " exists beside the page");
        }
        assertTrue(html.contains("<td class=\"num\">54.28 (-7.72)</td>"), "the summary table, as the terminal shows");
    }

    @Test
    void figuresWhoseTitlesShareAFileNameEachGetTheirOwn(@TempDir Path dir) throws IOException {
        // "ppl:stories" and "ppl-stories" (and "PPL-stories") all slug to ppl-stories; two diagnostics files of one
        // name in different directories slug to the same heatmap name
        List<ResultRow> rows = new ArrayList<>();
        for (String task : List.of("ppl:stories", "ppl-stories", "PPL-stories")) {
            for (String comm : List.of("fp16", "int4-asym-g128")) {
                rows.add(ResultRow.measured("llama3-tiny", 2, comm, "fake", task, "perplexity",
                        comm.equals("fp16") ? 12.0 : 12.5, 0.2, 2550, comm.equals("fp16") ? 4096 : 1088, 1,
                        "gptq-ppl seq_len=256", 1, "", "0.1.0"));
            }
        }
        Path results = dir.resolve("results.csv");
        ResultsCsv.write(results, BaselineComparison.compare(rows, Map.of(), "fp16"));
        Path a = Files.createDirectories(dir.resolve("a")).resolve("diagnostics.csv");
        Path b = Files.createDirectories(dir.resolve("b")).resolve("diagnostics.csv");
        CommErrorsCsv.write(a, diagnostics());
        CommErrorsCsv.write(b, diagnostics());

        Report.Written written = Report.write(dir, results, List.of(a, b), "fp16");

        List<String> names = written.pngs().stream().map(p -> p.getFileName().toString()).toList();
        assertEquals(List.of("ppl-stories-perplexity.png", "ppl-stories-perplexity-2.png",
                "ppl-stories-perplexity-3.png", "traffic-vs-perplexity.png",
                "errors-diagnostics-csv-llama3-tiny-tp-2-on-stories.png",
                "errors-diagnostics-csv-llama3-tiny-tp-2-on-stories-2.png"), names);
        String html = Files.readString(written.html());
        for (String name : names) {
            assertEquals(1, count(html, Pattern.quote("report/" + name + "\"")), name + " is shown once");
        }
    }

    @Test
    void withoutProvenanceOrDiagnosticsThePageSaysSo(@TempDir Path dir) {
        Path results = dir.resolve("results.csv");
        ResultsCsv.write(results, sweepRows());
        Report.Written written = Report.write(dir, results, List.of(), "fp16");
        assertEquals(5, written.pngs().size());
        String html = assertDoesNotThrowRead(written.html());
        assertTrue(html.contains("No results.json beside the results: provenance unknown."));
        assertFalse(html.contains("Communication error per layer and site"));
    }

    @Test
    void wireBitsAreReadFromTheBytesAgainstFp16() {
        WireBits bits = new WireBits(sweepRows());
        List<ResultRow> rows = sweepRows();
        assertEquals(16.0, bits.of(rows.get(0)).getAsDouble(), 1e-12);
        ResultRow int4 = rows.stream().filter(r -> r.tp() == 4 && r.comm().equals("int4-asym-g128")
                && r.metric().equals("acc")).findFirst().orElseThrow();
        assertEquals(4.25, bits.of(int4).getAsDouble(), 1e-3);
        ResultRow tp1 = ResultRow.measured("m", 1, "fp16", "fake", "piqa", "acc", 0.5, 0.1, 10, 0, 1, "p", 1, "",
                "v");
        assertEquals(OptionalDouble.empty(), new WireBits(List.of(tp1)).of(tp1), "TP 1 sends nothing");
    }

    @Test
    void badInputNamesTheFile(@TempDir Path dir) throws IOException {
        Path empty = dir.resolve("results.csv");
        ResultsCsv.write(empty, List.of());
        assertEquals(empty + ": no result rows to report",
                assertThrows(ResultsException.class, () -> Report.write(dir, empty, List.of(), "fp16")).getMessage());
        Path missing = dir.resolve("nope.csv");
        assertEquals(missing + ": no such file",
                assertThrows(ResultsException.class, () -> Report.write(dir, missing, List.of(), "fp16"))
                        .getMessage());
    }

    private static String assertDoesNotThrowRead(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new AssertionError(file + ": " + e.getMessage(), e);
        }
    }

    private static int distinctColours(BufferedImage image) {
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                colours.add(image.getRGB(x, y));
            }
        }
        return colours.size();
    }

    private static int count(String html, String regex) {
        Matcher m = Pattern.compile(regex).matcher(html);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static List<String> references(String html) {
        Matcher m = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(html);
        List<String> refs = new ArrayList<>();
        while (m.find()) {
            refs.add(m.group(1));
        }
        return refs;
    }
}
