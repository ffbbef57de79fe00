package dev.flashcomm.results.report;

import dev.flashcomm.results.AtomicFiles;
import dev.flashcomm.results.CommErrorRow;
import dev.flashcomm.results.CommErrorsCsv;
import dev.flashcomm.results.MetricKind;
import dev.flashcomm.results.Provenance;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.results.ResultsCsv;
import dev.flashcomm.results.ResultsException;
import dev.flashcomm.results.ResultsJson;
import dev.flashcomm.results.SummaryTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;

/**
 * {@code flashcomm report}: a self-contained {@code report.html} (no scripts, styles or fonts from elsewhere) and
 * its PNG charts in {@code report/} beside it, made from {@code results.csv}, the provenance in
 * {@code results.json} when it is there, and diagnostics tables when given. Charts: per task and metric, the change
 * against the baseline over bits per element (error bars from the stderr, TP degrees as series); bytes per forward
 * against the mean accuracy (and perplexity) change; per diagnostics table, a layer × site heatmap of the
 * communication error; then the summary table.
 */
public final class Report {

    public static final String HTML = "report.html";
    public static final String FIGURES = "report";
    static final int WIDTH = 760;
    static final int HEIGHT = 460;

    private Report() {
    }

    /** What was written. */
    public record Written(Path html, List<Path> pngs) {
        public Written {
            pngs = List.copyOf(pngs);
        }
    }

    /**
     * Writes {@code outDir/report.html} and {@code outDir/report/*.png}.
     *
     * @param results      the results CSV (normally {@code outDir/results.csv}); its results.json is read if present
     * @param diagnostics  per-layer communication error tables ({@code ppl --diagnostics}); may be empty
     * @param baselineComm the COMM the results were compared with
     * @throws ResultsException naming the file on unreadable input or an unwritable directory
     */
    public static Written write(Path outDir, Path results, List<Path> diagnostics, String baselineComm) {
        List<ResultRow> rows = ResultsCsv.read(results);
        if (rows.isEmpty()) {
            throw new ResultsException(results + ": no result rows to report");
        }
        Optional<Provenance> provenance = ResultsJson.readProvenance(ResultsJson.besideCsv(results));
        Map<Path, List<CommErrorRow>> errors = new LinkedHashMap<>();
        for (Path d : diagnostics) {
            errors.put(d, CommErrorsCsv.read(d));
        }
        Path figures = outDir.resolve(FIGURES);
        try {
            Files.createDirectories(figures);
        } catch (IOException e) {
            throw new ResultsException(figures + ": cannot create the report's figure directory: " + e.getMessage());
        }
        int models = (int) rows.stream().map(ResultRow::model).distinct().count();
        FigureNames names = new FigureNames();
        WireBits bits = new WireBits(rows);
        List<ReportHtml.Figure> perTask = new ArrayList<>();
        List<Path> pngs = new ArrayList<>();
        Map<List<String>, List<ResultRow>> byTask = new LinkedHashMap<>();
        for (ResultRow r : rows) {
            if (r.metricKind() != MetricKind.OTHER) {
                byTask.computeIfAbsent(List.of(r.task(), r.metric()), k -> new ArrayList<>()).add(r);
            }
        }
        byTask.forEach((taskMetric, taskRows) -> {
            String title = taskMetric.get(0) + " " + taskMetric.get(1);
            ReportCharts.changeOverBits(title, fakeFirst(taskRows), bits, models).ifPresent(chart -> {
                Path png = figures.resolve(names.unique(slug(title)) + ".png");
                writePng(png, chart);
                pngs.add(png);
                perTask.add(new ReportHtml.Figure(FIGURES + "/" + png.getFileName(), title + ": change against "
                        + baselineComm + " over bits per element", "Error bars: ±1 standard error of the cell's "
                        + "value; the paired difference against the baseline is known more precisely (its test is "
                        + "the summary's *)."));
            });
        });
        List<ReportHtml.Figure> tradeOff = new ArrayList<>();
        for (MetricKind kind : List.of(MetricKind.ACCURACY, MetricKind.LOWER_IS_BETTER)) {
            String what = kind == MetricKind.ACCURACY ? "accuracy" : "perplexity";
            ReportCharts.bytesOverChange("traffic against " + what + " change", fakeFirst(rows), kind, models)
                    .ifPresent(chart -> {
                        Path png = figures.resolve(names.unique("traffic-vs-" + what) + ".png");
                        writePng(png, chart);
                        pngs.add(png);
                        tradeOff.add(new ReportHtml.Figure(FIGURES + "/" + png.getFileName(), "Bytes per forward "
                                + "pass against the mean " + what + " change, per format",
                                "Each point is one format; zero is the " + baselineComm + " baseline."));
                    });
        }
        List<ReportHtml.Figure> heatmaps = new ArrayList<>();
        errors.forEach((file, errorRows) -> {
            Map<String, List<CommErrorRow>> byRun = errorRows.stream().collect(Collectors.groupingBy(
                    e -> e.model() + " TP " + e.tp() + " on " + e.data(), LinkedHashMap::new, Collectors.toList()));
            byRun.forEach((run, runRows) -> ReportCharts.errorHeatmap("communication error, " + run, runRows)
                    .ifPresent(chart -> {
                        Path png = figures.resolve(names.unique("errors-" + slug(file.getFileName() + " " + run))
                                + ".png");
                        writePng(png, chart);
                        pngs.add(png);
                        heatmaps.add(new ReportHtml.Figure(FIGURES + "/" + png.getFileName(), "Relative L2 error "
                                + "of the communicated sum per layer and site, " + run, "From " + file + "."));
                    }));
            byRun.forEach((run, runRows) -> ReportCharts.routingChart("expert routing changed, " + run, runRows)
                    .ifPresent(chart -> {
                        Path png = figures.resolve("routing-" + slug(file.getFileName() + " " + run) + ".png");
                        writePng(png, chart);
                        pngs.add(png);
                        heatmaps.add(new ReportHtml.Figure(FIGURES + "/" + png.getFileName(), "Routing agreement: "
                                + "per sparse layer, the tokens whose experts differ from the baseline's, " + run,
                                "From " + file + ": compressing the attention all-reduce changes the router's "
                                        + "input, so this shows where quantized communication flips expert "
                                        + "choices."));
                    }));
        });
        String html = ReportHtml.render(new ReportHtml.Content(outDir.toString(), provenance, perTask, tradeOff,
                heatmaps, SummaryTable.cells(rows, baselineComm), SummaryTable.legend(baselineComm),
                links(outDir, results)));
        Path htmlFile = outDir.resolve(HTML);
        AtomicFiles.writeString(htmlFile, html);
        return new Written(htmlFile, pngs);
    }

    /**
     * One row per cell and transport: the packed path is bit-identical to the fake one (docs/flash-allreduce.md), so
     * fake stands for both; the ring ablation quantizes at every hop and keeps series of its own.
     */
    private static List<ResultRow> fakeFirst(List<ResultRow> rows) {
        Map<List<Object>, ResultRow> kept = new LinkedHashMap<>();
        for (ResultRow r : rows) {
            List<Object> key = List.of(r.model(), r.tp(), r.comm(), r.task(), r.metric(),
                    r.commPath().equals("ring"));
            ResultRow earlier = kept.get(key);
            if (earlier == null || r.commPath().equals("fake")) {
                kept.put(key, r);
            }
        }
        return List.copyOf(kept.values());
    }

    private static Map<String, String> links(Path outDir, Path results) {
        Map<String, String> links = new LinkedHashMap<>();
        Path dir = outDir.toAbsolutePath().normalize();
        for (Path f : List.of(results, ResultsJson.besideCsv(results), results.resolveSibling("items.csv"))) {
            Path abs = f.toAbsolutePath().normalize();
            if (Files.exists(abs) && abs.startsWith(dir)) {
                links.put(dir.relativize(abs).toString().replace('\\', '/'), f.getFileName().toString());
            }
        }
        return links;
    }

    static String slug(String title) {
        String s = title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        return s.isEmpty() ? "chart" : s;
    }

    private static void writePng(Path png, JFreeChart chart) {
        AtomicFiles.write(png, out -> ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT));
    }
}
