package dev.flashcomm.results.report;

import dev.flashcomm.results.Provenance;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The report page: plain HTML with its style inline and images referenced by relative paths, so the directory can
 * be zipped, mailed or opened from disk with nothing fetched from anywhere. Every text is escaped.
 */
final class ReportHtml {

    /** A chart: its image path relative to the page, a caption and a note under it. */
    record Figure(String src, String caption, String note) {
    }

    /**
     * Everything the page shows.
     *
     * @param summary the summary table's cells, header first
     * @param links   files beside the page to link, by relative path, with their label
     */
    record Content(String title, Optional<Provenance> provenance, List<Figure> perTask, List<Figure> tradeOff,
                   List<Figure> heatmaps, List<String[]> summary, String legend, Map<String, String> links) {
        Content {
            perTask = List.copyOf(perTask);
            tradeOff = List.copyOf(tradeOff);
            heatmaps = List.copyOf(heatmaps);
            summary = List.copyOf(summary);
            links = Map.copyOf(links);
        }
    }

    private static final String STYLE = """
            body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1600px;
                   padding: 0 1rem; color: #222; }
            h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
            dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; font-size: .9rem; }
            dt { font-weight: 600; } dd { margin: 0; font-family: ui-monospace, monospace; word-break: break-all; }
            .figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 1.2rem; }
            figure { margin: 0; } figure img { width: 100%; height: auto; border: 1px solid #eee; }
            figcaption { font-size: .9rem; } figcaption small { color: #666; display: block; }
            table { border-collapse: collapse; font-size: .85rem; font-variant-numeric: tabular-nums; }
            th, td { border: 1px solid #ddd; padding: .25rem .5rem; } td.num { text-align: right; }
            th { background: #f4f4f4; } p.note { color: #555; font-size: .9rem; }
            """;

    private ReportHtml() {
    }

    static String render(Content c) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>flashcomm report: ").append(esc(c.title())).append("</title>\n<style>\n")
                .append(STYLE).append("</style>\n</head>\n<body>\n");
        h.append("<h1>flashcomm report: ").append(esc(c.title())).append("</h1>\n");
        c.provenance().ifPresent(p -> h.append("<p class=\"note\">").append(esc(p.command())).append(" &middot; ")
                .append(esc(p.date().toString())).append(" &middot; flashcomm ").append(esc(p.toolVersion()))
                .append(" (<a href=\"#provenance\">provenance</a>)</p>\n"));
        h.append("<h2>Summary</h2>\n");
        table(h, c.summary());
        h.append("<p class=\"note\">").append(esc(c.legend())).append("</p>\n");
        // the trade-off first: it is what a reader picks a format from; the per-task detail follows
        section(h, "Traffic against accuracy change", c.tradeOff(),
                "No compared cell at TP 2 or more.");
        if (!c.heatmaps().isEmpty()) {
            section(h, "Communication error per layer and site", c.heatmaps(), "");
        }
        section(h, "Change against the baseline over bits per element", c.perTask(),
                "No task has a compared cell at TP 2 or more with an fp16 cell to measure its width against.");
        h.append("<h2 id=\"provenance\">Provenance</h2>\n");
        provenance(h, c.provenance());
        if (!c.links().isEmpty()) {
            h.append("<h2>Files</h2>\n<ul>\n");
            c.links().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> h.append("<li><a href=\"")
                    .append(esc(e.getKey())).append("\">").append(esc(e.getValue())).append("</a></li>\n"));
            h.append("</ul>\n");
        }
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static void provenance(StringBuilder h, Optional<Provenance> provenance) {
        if (provenance.isEmpty()) {
            h.append("<p class=\"note\">No results.json beside the results: provenance unknown.</p>\n");
            return;
        }
        Provenance p = provenance.get();
        h.append("<dl>\n");
        item(h, "command", p.command());
        item(h, "date", p.date().toString());
        item(h, "flashcomm", p.toolVersion());
        for (Provenance.ModelRef m : p.models()) {
            item(h, "model " + m.name(), m.path() + " (sha256 " + m.sha256() + ")");
        }
        for (Provenance.DataRef d : p.data()) {
            item(h, d.task(), d.path() + " (sha256 " + d.sha256() + ")");
        }
        p.environment().forEach((k, v) -> item(h, k, v));
        p.settings().forEach((k, v) -> item(h, k, v));
        for (Provenance part : p.parts()) {
            item(h, "part", part.command());
        }
        h.append("</dl>\n");
    }

    private static void item(StringBuilder h, String term, String value) {
        h.append("<dt>").append(esc(term)).append("</dt><dd>").append(esc(value)).append("</dd>\n");
    }

    private static void section(StringBuilder h, String title, List<Figure> figures, String empty) {
        h.append("<h2>").append(esc(title)).append("</h2>\n");
        if (figures.isEmpty()) {
            h.append("<p class=\"note\">").append(esc(empty)).append("</p>\n");
            return;
        }
        h.append("<div class=\"figures\">\n");
        for (Figure f : figures) {
            h.append("<figure><img src=\"").append(esc(f.src())).append("\" alt=\"").append(esc(f.caption()))
                    .append("\" width=\"").append(Report.WIDTH).append("\" height=\"").append(Report.HEIGHT)
                    .append("\"><figcaption>").append(esc(f.caption())).append("<small>").append(esc(f.note()))
                    .append("</small></figcaption></figure>\n");
        }
        h.append("</div>\n");
    }

    private static void table(StringBuilder h, List<String[]> cells) {
        h.append("<table>\n<thead><tr>");
        for (String head : cells.get(0)) {
            h.append("<th>").append(esc(head)).append("</th>");
        }
        h.append("</tr></thead>\n<tbody>\n");
        for (String[] line : cells.subList(1, cells.size())) {
            h.append("<tr>");
            for (int i = 0; i < line.length; i++) {
                h.append(i < 4 ? "<td>" : "<td class=\"num\">").append(esc(line[i])).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</tbody>\n</table>\n");
    }

    static String esc(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(ch);
            }
        }
        return out.toString();
    }
}
