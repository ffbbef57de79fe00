package dev.flashcomm.results.report;

import dev.flashcomm.results.CommErrorRow;
import dev.flashcomm.results.MetricKind;
import dev.flashcomm.results.ResultRow;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.labels.XYItemLabelGenerator;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * The report's charts, built with JFreeChart from result rows (no drawing by hand). Accuracies are plotted as changes
 * in points and perplexities as relative changes in percent against the baseline, so that zero is "as good as the
 * baseline" on every chart.
 */
final class ReportCharts {

    private static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    private ReportCharts() {
    }

    /** The change a compared row shows against its baseline, in the chart's unit, with its error bar. */
    record Change(double value, double error) {
    }

    /** Points for accuracies, percent of the baseline for perplexity; the row's stderr in the same unit. */
    static Optional<Change> change(ResultRow r) {
        if (r.delta().isEmpty() || !Double.isFinite(r.delta().getAsDouble())) {
            return Optional.empty();
        }
        double se = Double.isNaN(r.stderr()) ? 0 : r.stderr();
        if (r.metricKind() == MetricKind.ACCURACY) {
            return Optional.of(new Change(100 * r.delta().getAsDouble(), 100 * se));
        }
        if (r.relDelta().isEmpty() || !Double.isFinite(r.relDelta().getAsDouble())) {
            return Optional.empty();
        }
        double base = r.baseline().getAsDouble();
        return Optional.of(new Change(100 * r.relDelta().getAsDouble(), 100 * se / base));
    }

    static String unit(MetricKind kind) {
        return kind == MetricKind.ACCURACY ? "change in accuracy (points)" : "change in perplexity (% of baseline)";
    }

    /**
     * One task's metric: its change against the baseline over the effective bits per element on the wire, one
     * series per model and TP degree, error bars of ±1 stderr of the cell's value. Empty when no row of the task
     * has both a change and a known width (e.g. TP 1 only).
     *
     * @param rows    the compared rows of one task and metric, several comm formats, TP degrees and models
     * @param models  how many models the whole report covers (series are named by TP alone when one)
     */
    static Optional<JFreeChart> changeOverBits(String title, List<ResultRow> rows, WireBits bits, int models) {
        Map<String, YIntervalSeries> series = new TreeMap<>();
        for (ResultRow r : rows) {
            OptionalDouble x = bits.of(r);
            Optional<Change> y = change(r);
            if (x.isEmpty() || y.isEmpty()) {
                continue;
            }
            String name = seriesName(r, models);
            Change c = y.get();
            series.computeIfAbsent(name, YIntervalSeries::new)
                    .add(x.getAsDouble(), c.value(), c.value() - c.error(), c.value() + c.error());
        }
        if (series.isEmpty()) {
            return Optional.empty();
        }
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        series.values().forEach(data::addSeries);
        NumberAxis x = new NumberAxis("bits per element on the wire (effective, fp16 = 16)");
        x.setAutoRangeIncludesZero(true);
        NumberAxis y = new NumberAxis(unit(rows.get(0).metricKind()));
        y.setUpperMargin(0.08);
        XYErrorRenderer renderer = new XYErrorRenderer();
        renderer.setDrawXError(false);
        renderer.setDrawYError(true);
        renderer.setDefaultLinesVisible(true);
        renderer.setDefaultShapesVisible(true);
        renderer.setCapLength(6);
        renderer.setErrorStroke(new BasicStroke(1.2f));
        XYPlot plot = new XYPlot(data, x, y, renderer);
        zeroLine(plot);
        return Optional.of(chart(title, plot, true));
    }

    /**
     * The trade-off a user picks from: bytes the busiest rank sends per forward pass against the mean change over
     * the metric kind's rows (the accuracies of all tasks, or the perplexities of all corpora) of each comm format, one
     * series per model and TP, each point labelled with its format.
     */
    static Optional<JFreeChart> bytesOverChange(String title, List<ResultRow> rows, MetricKind kind, int models) {
        // per series (model, TP), per comm: sums of bytes and changes
        Map<String, Map<String, double[]>> sums = new TreeMap<>();
        for (ResultRow r : rows) {
            Optional<Change> c = change(r);
            // perplexity: the corpora only, whose bytes are per window (a task's target perplexity counts per request)
            boolean corpus = r.task().startsWith("ppl:");
            boolean wanted = r.metricKind() == kind && (kind == MetricKind.ACCURACY || corpus);
            if (!wanted || c.isEmpty() || r.tp() < 2) {
                continue;
            }
            String name = seriesName(r, models);
            double[] s = sums.computeIfAbsent(name, k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.comm(), k -> new double[3]);
            s[0] += r.bytesPerForward();
            s[1] += c.get().value();
            s[2]++;
        }
        if (sums.isEmpty()) {
            return Optional.empty();
        }
        XYSeriesCollection data = new XYSeriesCollection();
        List<List<String>> labels = new ArrayList<>();
        sums.forEach((name, byComm) -> {
            // sorted by traffic, so the line runs from the cheapest format to the widest
            List<String> comms = new ArrayList<>(byComm.keySet());
            comms.sort(Comparator.comparingDouble(comm -> byComm.get(comm)[0] / byComm.get(comm)[2]));
            XYSeries series = new XYSeries(name, false, true);
            List<String> names = new ArrayList<>();
            for (String comm : comms) {
                double[] s = byComm.get(comm);
                series.add(s[0] / s[2] / 1024.0, s[1] / s[2]);
                names.add(shortName(comm));
            }
            data.addSeries(series);
            labels.add(names);
        });
        NumberAxis x = new NumberAxis("KiB sent by the busiest rank per forward pass (mean over "
                + (kind == MetricKind.ACCURACY ? "tasks" : "corpora") + ")");
        x.setAutoRangeIncludesZero(true);
        NumberAxis y = new NumberAxis("mean " + unit(kind));
        y.setUpperMargin(0.12); // room for the labels of the points at zero, the baseline's among them
        y.setLowerMargin(0.08);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        XYItemLabelGenerator names = (dataset, s, item) -> labels.get(s).get(item);
        renderer.setDefaultItemLabelGenerator(names);
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(LABEL_FONT);
        XYPlot plot = new XYPlot(data, x, y, renderer);
        zeroLine(plot);
        return Optional.of(chart(title, plot, true));
    }

    /**
     * Relative L2 error of the communicated sums per layer (x) and format × site (y), on a log colour scale shared by
     * the whole chart. Exact sums (error 0) take the scale's lowest colour.
     */
    static Optional<JFreeChart> errorHeatmap(String title, List<CommErrorRow> allRows) {
        // routing rows carry no error of a sum; routingChart draws them
        List<CommErrorRow> rows = allRows.stream().filter(r -> !r.site().equals(CommErrorRow.ROUTER)).toList();
        // rows in the table's order (the sweep's: baseline first, then widest to narrowest), bottom to top
        Set<String> rowNames = new LinkedHashSet<>();
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        int maxLayer = 0;
        for (CommErrorRow r : rows) {
            rowNames.add(r.comm() + " " + r.site());
            maxLayer = Math.max(maxLayer, r.layer());
            if (r.relativeL2() > 0 && Double.isFinite(r.relativeL2())) {
                min = Math.min(min, Math.log10(r.relativeL2()));
                max = Math.max(max, Math.log10(r.relativeL2()));
            }
        }
        if (rows.isEmpty() || !Double.isFinite(min)) {
            return Optional.empty();
        }
        double lower = Math.floor(min);
        double upper = Math.max(Math.ceil(max), lower + 1);
        List<String> names = new ArrayList<>(rowNames);
        double[][] xyz = new double[3][rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            CommErrorRow r = rows.get(i);
            xyz[0][i] = r.layer();
            xyz[1][i] = names.indexOf(r.comm() + " " + r.site());
            xyz[2][i] = r.relativeL2() > 0 ? Math.log10(r.relativeL2()) : lower;
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("relative L2 error", xyz);
        NumberAxis x = new NumberAxis("decoder layer");
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setRange(-0.5, maxLayer + 0.5);
        SymbolAxis y = new SymbolAxis("format, all-reduce site", names.toArray(new String[0]));
        y.setRange(-0.5, names.size() - 0.5);
        y.setGridBandsVisible(false);
        XYBlockRenderer renderer = new XYBlockRenderer();
        ErrorPaintScale scale = new ErrorPaintScale(lower, upper);
        renderer.setPaintScale(scale);
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        JFreeChart chart = chart(title, plot, false);
        NumberAxis scaleAxis = new NumberAxis("log10 relative L2 error of the sum");
        scaleAxis.setRange(lower, upper);
        PaintScaleLegend legend = new PaintScaleLegend(scale, scaleAxis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setMargin(new RectangleInsets(10, 10, 10, 10));
        legend.setStripWidth(14);
        chart.addSubtitle(legend);
        return Optional.of(chart);
    }

    /**
     * Routing agreement of a mixture-of-experts model: per sparse layer (x), the percentage of tokens whose set of
     * experts differs from the baseline's (y), one series per format; empty when the rows hold no {@code router} row
     * of a format other than the baseline (which agrees with itself).
     */
    static Optional<JFreeChart> routingChart(String title, List<CommErrorRow> rows) {
        Map<String, XYSeries> series = new LinkedHashMap<>();
        boolean anyChange = false;
        for (CommErrorRow r : rows) {
            if (!r.site().equals(CommErrorRow.ROUTER) || Double.isNaN(r.routingChanged())) {
                continue;
            }
            series.computeIfAbsent(shortName(r.comm()), n -> new XYSeries(n, true, false))
                    .add(r.layer(), 100 * r.routingChanged());
            anyChange |= r.routingChanged() > 0;
        }
        if (series.isEmpty() || !anyChange) {
            return Optional.empty();
        }
        XYSeriesCollection data = new XYSeriesCollection();
        series.values().forEach(data::addSeries);
        NumberAxis x = new NumberAxis("decoder layer (sparse layers)");
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        NumberAxis y = new NumberAxis("tokens whose experts differ from the baseline's (%)");
        y.setAutoRangeIncludesZero(true);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        XYPlot plot = new XYPlot(data, x, y, renderer);
        return Optional.of(chart(title, plot, true));
    }

    /** {@code TP 2}, with the model when the report has several and {@code ring} for the ring ablation. */
    static String seriesName(ResultRow r, int models) {
        return (models > 1 ? r.model() + " " : "") + "TP " + r.tp() + (r.commPath().equals("ring") ? " ring" : "");
    }

    /** {@code int4-asym-g128} reads {@code int4}; non-default variants keep their suffix. */
    static String shortName(String comm) {
        return comm.replace("-asym-g128", "");
    }

    private static void zeroLine(XYPlot plot) {
        ValueMarker zero = new ValueMarker(0, Color.DARK_GRAY, new BasicStroke(1f));
        plot.addRangeMarker(zero);
    }

    private static JFreeChart chart(String title, XYPlot plot, boolean legend) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
        plot.setRangeGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 15), plot, legend);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        return chart;
    }
}
