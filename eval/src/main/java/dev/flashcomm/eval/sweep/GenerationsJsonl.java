package dev.flashcomm.eval.sweep;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.flashcomm.eval.InputException;
import dev.flashcomm.eval.lm.Generation;
import dev.flashcomm.results.AtomicFiles;
import dev.flashcomm.results.InputFiles;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.results.ResultsJson;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Per-prompt generations as JSON lines, written atomically: the sweep's {@code generations.jsonl} beside items.csv
 * (one line per generation cell and prompt) and {@code flashcomm generate --out}. A line is one flat object; a later
 * generation task adds its own fields (a filtered answer, per-metric correctness) to the lines of its cells, and
 * readers ignore fields they do not know.
 */
public final class GenerationsJsonl {

    public static final String FILE = "generations.jsonl";
    private static final Pattern PART = Pattern.compile("generations\\.part-\\d+-of-\\d+\\.jsonl");
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
    /** A line holds one prompt's ids, new ids and log-probs: tens of kB for the longest prompts. */
    static final int MAX_LINE_CHARS = 16 << 20;
    /** Far above the generations of any sweep; the heap is the usual limit. */
    static final long MAX_PART_BYTES = 16L << 30;

    private GenerationsJsonl() {
    }

    /** {@code generations.part-i-of-n.jsonl}: a shard's lines. */
    public static String part(Shard shard) {
        return "generations." + shard.partName() + ".jsonl";
    }

    /**
     * The lines of a sweep's cells: {@code model, tp, comm, comm_path, task} (as in results.csv), {@code index} (the
     * prompt's, as ITEM in items.csv), then {@link #fields}; in matrix order ({@link #ordered} sorts them as
     * results.csv does).
     */
    public static List<JsonObject> lines(List<CellGenerations> cells) {
        List<JsonObject> lines = new ArrayList<>();
        for (CellGenerations c : cells) {
            for (int i = 0; i < c.generations().size(); i++) {
                JsonObject o = new JsonObject();
                o.addProperty("model", c.model());
                o.addProperty("tp", c.tp());
                o.addProperty("comm", c.comm());
                o.addProperty("comm_path", c.commPath());
                o.addProperty("task", c.task());
                o.addProperty("index", i);
                fields(o, c.generations().get(i));
                lines.add(o);
            }
        }
        return lines;
    }

    /**
     * Adds what one generation holds to {@code line}: {@code prompt_ids}, {@code new_ids} (the generated tokens, the
     * stopping one included), {@code text} (their decoding, cut before a stop sequence), {@code stop_reason}
     * ({@code length}, {@code stop}, {@code eos}) and {@code logprobs} (each new token's log-probability).
     */
    public static void fields(JsonObject line, Generation g) {
        line.add("prompt_ids", ints(g.promptIds()));
        line.add("new_ids", ints(g.newIds()));
        line.addProperty("text", g.text());
        line.addProperty("stop_reason", g.stopReason().id());
        JsonArray logProbs = new JsonArray();
        for (double lp : g.logProbs()) {
            logProbs.add(lp);
        }
        line.add("logprobs", logProbs);
    }

    /**
     * The lines ordered as results.csv orders its cells ({@code rows}, compared and sorted), each cell's lines by
     * index: so a sweep and a merge of its shards write the same file.
     *
     * @throws InputException when a line's cell has no row in {@code rows}, or a cell repeats an index
     */
    public static List<JsonObject> ordered(List<JsonObject> lines, List<ResultRow> rows, String source) {
        Map<String, Integer> rank = new HashMap<>();
        for (ResultRow r : rows) {
            rank.putIfAbsent(SweepOutputs.cellOf(r), rank.size());
        }
        Set<String> seen = new HashSet<>();
        for (JsonObject line : lines) {
            String cell = cellOf(line);
            if (!rank.containsKey(cell)) {
                throw new InputException(source + ": generations of " + cell + ", a cell the results do not hold");
            }
            if (!seen.add(cell + " #" + line.get("index").getAsInt())) {
                throw new InputException(source + ": prompt " + line.get("index") + " of " + cell + " is there twice");
            }
        }
        return lines.stream().sorted(Comparator.comparingInt((JsonObject l) -> rank.get(cellOf(l)))
                .thenComparingInt(l -> l.get("index").getAsInt())).toList();
    }

    /** A generation cell with fewer lines than items: {@code found} of {@code expected}. */
    public record Shortfall(String cell, long found, long expected) {
    }

    /**
     * The first generation cell of {@code rows} (see {@link ResultsJson#isGeneration}) whose lines are fewer than
     * its N, in row order; empty when every one is complete. A merge that wrote the lines it found would drop a
     * shard's generations without a word.
     */
    public static Optional<Shortfall> shortfall(List<JsonObject> lines, List<ResultRow> rows) {
        Map<String, Long> counts = new HashMap<>();
        for (JsonObject line : lines) {
            counts.merge(cellOf(line), 1L, Long::sum);
        }
        for (ResultRow r : rows) {
            if (ResultsJson.isGeneration(r)) {
                long found = counts.getOrDefault(SweepOutputs.cellOf(r), 0L);
                if (found < r.n()) {
                    return Optional.of(new Shortfall(SweepOutputs.cellOf(r), found, r.n()));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Every line of the shards' {@code generations.part-i-of-n.jsonl} files in {@code dir}, in no particular order
     * ({@link #ordered} orders them); empty when there are none.
     *
     * @throws InputException naming the file and line of a line that is not one of ours
     */
    public static List<JsonObject> readParts(Path dir) {
        List<JsonObject> lines = new ArrayList<>();
        List<Path> parts;
        try (Stream<Path> files = Files.list(dir)) {
            parts = files.filter(f -> PART.matcher(f.getFileName().toString()).matches()).sorted().toList();
        } catch (IOException e) {
            throw new InputException(dir + ": cannot list: " + e.getMessage());
        }
        for (Path part : parts) {
            // a shard's part is checked as every input is: a FIFO or /dev/zero there ends in one line, not a hang
            InputFiles.forEachLine(part, MAX_PART_BYTES, MAX_LINE_CHARS, (number, text) -> {
                try {
                    JsonObject line = JsonParser.parseString(text).getAsJsonObject();
                    cellOf(line);
                    line.get("index").getAsInt();
                    lines.add(line);
                } catch (JsonParseException | IllegalStateException | NullPointerException
                         | UnsupportedOperationException | NumberFormatException e) {
                    throw new InputException(part + ":" + number + ": not a generations line (a JSON object with "
                            + "model, tp, comm, comm_path, task and index)");
                }
            });
        }
        return lines;
    }

    private static String cellOf(JsonObject line) {
        return SweepOutputs.cellOf(line.get("model").getAsString(), line.get("tp").getAsInt(),
                line.get("comm").getAsString(), line.get("comm_path").getAsString(), line.get("task").getAsString());
    }

    /** Writes {@code lines}, one compact JSON object per line, atomically (temp file, then move). */
    public static void write(Path target, List<JsonObject> lines) {
        AtomicFiles.write(target, out -> {
            Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            for (JsonObject line : lines) {
                w.write(GSON.toJson(line));
                w.write('\n');
            }
            w.flush();
        });
    }

    private static JsonArray ints(int[] ids) {
        JsonArray a = new JsonArray();
        for (int id : ids) {
            a.add(id);
        }
        return a;
    }
}
