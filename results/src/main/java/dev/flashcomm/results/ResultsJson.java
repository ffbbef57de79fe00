package dev.flashcomm.results;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code results.json}, beside {@code results.csv}: the same results in the shape of lm-evaluation-harness 0.4's
 * results file, so scripts written for lm-eval output read ours, plus the run's {@link Provenance}.
 *
 * <p>lm-eval's file describes one model run, keyed by task. Ours holds a matrix, so every model × TP × comm × task
 * cell is one "task" key, {@code MODEL/tpN/COMM/TASK} (with {@code /packed} or {@code /ring} after COMM when the
 * path is not fake), whose {@code alias} is the plain task name. Under each key, as lm-eval writes them:
 * {@code results} holds {@code "<metric>,none"} and {@code "<metric>_stderr,none"} (accuracies as fractions;
 * {@code "N/A"} where no standard error exists), and {@code configs}, {@code versions}, {@code n-shot},
 * {@code higher_is_better}, {@code n-samples} and {@code group_subtasks} are filled the same way ({@code original} is
 * left out of {@code n-samples} under {@code --limit}, where the task's full size was not read). {@code config} and
 * {@code date} describe the run. Everything lm-eval has no place for is under {@code flashcomm}: the provenance and,
 * per key, the cell's model, TP, comm, path and the comparison with the baseline (delta, p-value, test).
 */
public final class ResultsJson {

    /** lm-eval's filter name for unfiltered metrics: metric keys read {@code acc,none}. */
    static final String FILTER = "none";
    /** A SETTINGS cell of a run that scored only the first items of a task: {@code limit=N} with N > 0. */
    private static final Pattern LIMITED = Pattern.compile("(^|;)limit=0*[1-9]");
    /** The shots in a task row's PROTOCOL, {@code lm-eval 5-shot seed=1234}. */
    private static final Pattern SHOTS = Pattern.compile("^lm-eval (\\d+)-shot");
    /** Generation metrics and the lm-eval filter whose name their keys carry instead of {@code none}. */
    private static final Map<String, String> FILTERED = Map.of("exact_match_strict", "strict-match",
            "exact_match_flexible", "flexible-extract");
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
            .serializeSpecialFloatingPointValues().create();

    private ResultsJson() {
    }

    /** {@code results.json} for {@code results.csv}, {@code ppl.json} for {@code ppl.csv}: the same name, .json. */
    public static Path besideCsv(Path csv) {
        String name = csv.getFileName().toString();
        String stem = name.toLowerCase(Locale.ROOT).endsWith(".csv") ? name.substring(0, name.length() - 4) : name;
        return csv.resolveSibling(stem + ".json");
    }

    /** The results key of a row's cell (see the class comment). */
    public static String key(ResultRow row) {
        String path = row.commPath().equals("fake") ? "" : "/" + row.commPath();
        return row.model() + "/tp" + row.tp() + "/" + row.comm() + path + "/" + row.task();
    }

    /**
     * Writes the file atomically.
     *
     * @param items        per-item scores by cell, for {@code n-samples} (a cell without them counts its N)
     * @param baselineComm the COMM the rows were compared with
     * @throws ResultsException when the file cannot be written
     */
    public static void write(Path target, List<ResultRow> rows, Map<CellKey, List<ItemScore>> items,
                             String baselineComm, Provenance provenance) {
        AtomicFiles.writeString(target, GSON.toJson(document(rows, items, baselineComm, provenance)) + "\n");
    }

    /** A shard's part: the same document with the part's {@link PartIdentity} under {@code flashcomm.part}. */
    public static void writePart(Path target, List<ResultRow> rows, Map<CellKey, List<ItemScore>> items,
                                 String baselineComm, Provenance provenance, PartIdentity part) {
        JsonObject doc = document(rows, items, baselineComm, provenance);
        JsonObject id = new JsonObject();
        id.addProperty("shard", part.shard());
        JsonArray cells = new JsonArray();
        part.planCells().forEach(cells::add);
        id.add("plan_cells", cells);
        id.addProperty("results_sha256", part.resultsSha256());
        id.addProperty("items_sha256", part.itemsSha256());
        doc.getAsJsonObject("flashcomm").add("part", id);
        AtomicFiles.writeString(target, GSON.toJson(doc) + "\n");
    }

    /**
     * The part identity of a shard's results.json, empty when the file is missing or has none.
     *
     * @throws ResultsException naming the file when it is not a readable results.json
     */
    public static Optional<PartIdentity> readPart(Path file) {
        Optional<JsonObject> flashcomm = flashcommObject(file);
        if (flashcomm.isEmpty() || !flashcomm.get().has("part")) {
            return Optional.empty();
        }
        try {
            JsonObject id = flashcomm.get().getAsJsonObject("part");
            List<String> cells = new ArrayList<>();
            id.getAsJsonArray("plan_cells").forEach(c -> cells.add(c.getAsString()));
            return Optional.of(new PartIdentity(id.get("shard").getAsString(), cells,
                    id.get("results_sha256").getAsString(), id.get("items_sha256").getAsString()));
        } catch (IllegalStateException | ClassCastException | NullPointerException | UnsupportedOperationException e) {
            throw ResultsException.in(file, "malformed part identity: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ResultsException.in(file, "invalid part identity: " + e.getMessage());
        }
    }

    private static Optional<JsonObject> flashcommObject(Path file) {
        // checked first: a FIFO beside the CSV would block the read forever, /dev/zero fill the heap
        Optional<String> read = InputFiles.readTextIfPresent(file, InputFiles.JSON_LIMIT);
        if (read.isEmpty()) {
            return Optional.empty();
        }
        String text = read.get();
        try {
            JsonObject flashcomm = JsonParser.parseString(text).getAsJsonObject().getAsJsonObject("flashcomm");
            if (flashcomm == null) {
                throw ResultsException.in(file, "no \"flashcomm\" object: not a flashcomm results.json");
            }
            return Optional.of(flashcomm);
        } catch (JsonParseException | IllegalStateException | ClassCastException e) {
            throw ResultsException.in(file, "malformed results.json: " + e.getMessage());
        }
    }

    static JsonObject document(List<ResultRow> rows, Map<CellKey, List<ItemScore>> items, String baselineComm,
                               Provenance provenance) {
        Map<String, List<ResultRow>> byKey = new LinkedHashMap<>();
        for (ResultRow row : rows) {
            byKey.computeIfAbsent(key(row), k -> new ArrayList<>()).add(row);
        }
        JsonObject results = new JsonObject();
        JsonObject groupSubtasks = new JsonObject();
        JsonObject configs = new JsonObject();
        JsonObject versions = new JsonObject();
        JsonObject nShot = new JsonObject();
        JsonObject higherIsBetter = new JsonObject();
        JsonObject nSamples = new JsonObject();
        JsonObject cells = new JsonObject();
        byKey.forEach((key, cellRows) -> {
            ResultRow first = cellRows.get(0);
            JsonObject metrics = new JsonObject();
            metrics.addProperty("alias", first.task());
            JsonObject better = new JsonObject();
            JsonArray metricList = new JsonArray();
            JsonObject cellMetrics = new JsonObject();
            long samples = 0;
            for (ResultRow r : cellRows) {
                metrics.add(metricKey(r.metric(), ""), number(r.value()));
                metrics.add(metricKey(r.metric(), "_stderr"),
                        Double.isNaN(r.stderr()) ? new JsonPrimitive("N/A") : number(r.stderr()));
                JsonObject metric = new JsonObject();
                metric.addProperty("metric", r.metric());
                metric.addProperty("aggregation",
                        r.metricKind() == MetricKind.LOWER_IS_BETTER ? "perplexity" : "mean");
                if (r.metricKind() != MetricKind.OTHER) {
                    boolean higher = r.metricKind().higherIsBetter();
                    better.addProperty(r.metric(), higher);
                    metric.addProperty("higher_is_better", higher);
                }
                metricList.add(metric);
                cellMetrics.add(r.metric(), comparison(r));
                List<ItemScore> scores = items.get(r.cell());
                samples = Math.max(samples, scores != null ? scores.size() : r.n());
            }
            results.add(key, metrics);
            groupSubtasks.add(key, new JsonArray());
            JsonObject config = new JsonObject();
            config.addProperty("task", first.task());
            config.addProperty("output_type", outputType(cellRows));
            config.addProperty("num_fewshot", shots(first.protocol()));
            config.add("metric_list", metricList);
            JsonObject metadata = new JsonObject();
            metadata.addProperty("version", (double) first.taskVersion());
            config.add("metadata", metadata);
            configs.add(key, config);
            versions.addProperty(key, (double) first.taskVersion());
            nShot.addProperty(key, shots(first.protocol()));
            higherIsBetter.add(key, better);
            JsonObject n = new JsonObject();
            if (!LIMITED.matcher(first.settings()).find()) {
                n.addProperty("original", samples); // all of the task was scored; under --limit the total is unknown
            }
            n.addProperty("effective", samples);
            nSamples.add(key, n);
            JsonObject cell = new JsonObject();
            cell.addProperty("model", first.model());
            cell.addProperty("tp", first.tp());
            cell.addProperty("comm", first.comm());
            cell.addProperty("comm_path", first.commPath());
            cell.addProperty("task", first.task());
            cell.addProperty("protocol", first.protocol());
            cell.addProperty("settings", first.settings());
            cell.addProperty("tool_version", first.toolVersion());
            cell.add("metrics", cellMetrics);
            cells.add(key, cell);
        });
        JsonObject doc = new JsonObject();
        doc.add("results", results);
        doc.add("group_subtasks", groupSubtasks);
        doc.add("configs", configs);
        doc.add("versions", versions);
        doc.add("n-shot", nShot);
        doc.add("higher_is_better", higherIsBetter);
        doc.add("n-samples", nSamples);
        doc.add("config", runConfig(provenance));
        doc.addProperty("date", provenance.date().toEpochMilli() / 1000.0);
        doc.addProperty("model_name", String.join(",", provenance.models().stream().map(Provenance.ModelRef::name)
                .toList()));
        JsonObject flashcomm = provenance(provenance);
        flashcomm.addProperty("baseline_comm", baselineComm);
        flashcomm.add("cells", cells);
        doc.add("flashcomm", flashcomm);
        return doc;
    }

    /**
     * The provenance of an earlier results.json (e.g. a shard's part), or empty when the file does not exist.
     *
     * @throws ResultsException naming the file when it exists but is not a results.json
     */
    public static Optional<Provenance> readProvenance(Path file) {
        Optional<JsonObject> flashcomm = flashcommObject(file);
        if (flashcomm.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(provenance(flashcomm.get()));
        } catch (JsonParseException | IllegalStateException | ClassCastException | NullPointerException
                 | DateTimeParseException | UnsupportedOperationException e) {
            // Gson answers a missing field with null and a mistyped one with these: all mean a damaged file
            throw ResultsException.in(file, "malformed results.json: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ResultsException.in(file, "invalid provenance: " + e.getMessage());
        }
    }

    /**
     * lm-eval's key of a metric: {@code acc,none}, {@code acc_stderr,none}; GSM8K's exact matches carry their filter
     * as lm-eval names it ({@code exact_match,strict-match}, {@code exact_match_stderr,flexible-extract}).
     */
    static String metricKey(String metric, String suffix) {
        for (Map.Entry<String, String> e : FILTERED.entrySet()) {
            if (metric.equals(e.getKey())) {
                return "exact_match" + suffix + "," + e.getValue();
            }
        }
        return metric + suffix + "," + FILTER;
    }

    /** The shots of a task row's protocol ({@code lm-eval 5-shot ...}); 0 for other rows. */
    static int shots(String protocol) {
        Matcher m = SHOTS.matcher(protocol);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /**
     * Whether the row's cell generates (an agreement task, GSM8K's exact matches): lm-eval's {@code generate_until},
     * whose generations go to {@code generations.jsonl}, one line per item.
     */
    public static boolean isGeneration(ResultRow row) {
        return row.task().startsWith("agreement:") || FILTERED.containsKey(row.metric());
    }

    private static String outputType(List<ResultRow> cellRows) {
        if (cellRows.get(0).task().startsWith("ppl:")) {
            return "loglikelihood_rolling";
        }
        if (isGeneration(cellRows.get(0))) {
            return "generate_until"; // greedy continuations, lm-eval's name for generation requests
        }
        boolean target = cellRows.stream().anyMatch(r -> r.metricKind() == MetricKind.LOWER_IS_BETTER);
        return target ? "loglikelihood" : "multiple_choice";
    }

    private static JsonObject comparison(ResultRow r) {
        JsonObject o = new JsonObject();
        o.add("value", number(r.value()));
        o.add("stderr", Double.isNaN(r.stderr()) ? JsonNull.INSTANCE : number(r.stderr()));
        o.addProperty("n", r.n());
        o.add("baseline", r.baseline().isPresent() ? number(r.baseline().getAsDouble()) : JsonNull.INSTANCE);
        o.add("delta", r.delta().isPresent() ? number(r.delta().getAsDouble()) : JsonNull.INSTANCE);
        o.add("rel_delta", r.relDelta().isPresent() ? number(r.relDelta().getAsDouble()) : JsonNull.INSTANCE);
        o.add("p_value", r.pValue().isPresent() ? number(r.pValue().getAsDouble()) : JsonNull.INSTANCE);
        o.addProperty("test", r.test());
        o.addProperty("bytes_per_forward", r.bytesPerForward());
        o.add("wall_seconds", number(r.wallSeconds()));
        return o;
    }

    /** lm-eval's {@code config} block: how the run was configured, in its key names where it has them. */
    private static JsonObject runConfig(Provenance p) {
        JsonObject c = new JsonObject();
        c.addProperty("model", "flashcomm");
        c.addProperty("model_args", String.join(",", p.models().stream().map(m -> "pretrained=" + m.path())
                .toList()));
        Map<String, String> s = p.settings();
        c.add("batch_size", setting(s, "batch"));
        c.add("device", setting(s, "device"));
        c.add("limit", setting(s, "limit"));
        c.addProperty("bootstrap_iters", BaselineComparison.BOOTSTRAP_RESAMPLES);
        JsonElement seed = setting(s, "seed");
        c.add("random_seed", seed.isJsonNull() ? new JsonPrimitive(BaselineComparison.DEFAULT_SEED) : seed);
        c.add("num_fewshot", setting(s, "num_fewshot"));
        return c;
    }

    private static JsonElement setting(Map<String, String> settings, String name) {
        String v = settings.get(name);
        if (v == null) {
            return JsonNull.INSTANCE;
        }
        try {
            return new JsonPrimitive(Long.parseLong(v));
        } catch (NumberFormatException e) {
            return new JsonPrimitive(v);
        }
    }

    private static JsonObject provenance(Provenance p) {
        JsonObject o = new JsonObject();
        o.addProperty("tool_version", p.toolVersion());
        o.addProperty("command", p.command());
        o.addProperty("date", p.date().toString());
        JsonArray models = new JsonArray();
        for (Provenance.ModelRef m : p.models()) {
            JsonObject one = new JsonObject();
            one.addProperty("name", m.name());
            one.addProperty("path", m.path());
            one.addProperty("sha256", m.sha256());
            models.add(one);
        }
        o.add("models", models);
        JsonArray data = new JsonArray();
        for (Provenance.DataRef d : p.data()) {
            JsonObject one = new JsonObject();
            one.addProperty("task", d.task());
            one.addProperty("path", d.path());
            one.addProperty("sha256", d.sha256());
            data.add(one);
        }
        o.add("data", data);
        o.add("settings", strings(p.settings()));
        o.add("environment", strings(p.environment()));
        if (!p.parts().isEmpty()) {
            JsonArray parts = new JsonArray();
            p.parts().forEach(part -> parts.add(provenance(part)));
            o.add("parts", parts);
        }
        return o;
    }

    private static Provenance provenance(JsonObject o) {
        List<Provenance.ModelRef> models = new ArrayList<>();
        for (JsonElement e : o.getAsJsonArray("models")) {
            JsonObject m = e.getAsJsonObject();
            models.add(new Provenance.ModelRef(m.get("name").getAsString(), m.get("path").getAsString(),
                    m.get("sha256").getAsString()));
        }
        List<Provenance.DataRef> data = new ArrayList<>();
        for (JsonElement e : o.getAsJsonArray("data")) {
            JsonObject d = e.getAsJsonObject();
            data.add(new Provenance.DataRef(d.get("task").getAsString(), d.get("path").getAsString(),
                    d.get("sha256").getAsString()));
        }
        List<Provenance> parts = new ArrayList<>();
        if (o.has("parts")) {
            o.getAsJsonArray("parts").forEach(e -> parts.add(provenance(e.getAsJsonObject())));
        }
        return new Provenance(o.get("tool_version").getAsString(), o.get("command").getAsString(),
                Instant.parse(o.get("date").getAsString()), models, data, strings(o.getAsJsonObject("settings")),
                strings(o.getAsJsonObject("environment")), parts);
    }

    private static JsonObject strings(Map<String, String> map) {
        JsonObject o = new JsonObject();
        map.forEach(o::addProperty);
        return o;
    }

    private static Map<String, String> strings(JsonObject o) {
        Map<String, String> map = new LinkedHashMap<>();
        o.entrySet().forEach(e -> map.put(e.getKey(), e.getValue().getAsString()));
        return map;
    }

    /** JSON has no NaN or infinity; lm-eval writes them as Python does, which Gson's special values match. */
    private static JsonElement number(double v) {
        return new JsonPrimitive(v);
    }
}
