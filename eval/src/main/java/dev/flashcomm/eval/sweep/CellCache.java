package dev.flashcomm.eval.sweep;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.flashcomm.eval.InputException;
import dev.flashcomm.eval.lm.Generation;
import dev.flashcomm.eval.lm.StopReason;
import dev.flashcomm.results.CellKey;
import dev.flashcomm.results.ItemScore;
import dev.flashcomm.results.OutputFiles;
import dev.flashcomm.results.ResultRow;
import java.io.IOException;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Finished cells on disk, one JSON file per cell named by its {@link CacheKey} hash, so an interrupted sweep resumes
 * where it stopped. A file holds the key's ingredients, the cell's rows without the MODEL column (a model copied
 * elsewhere under another name keeps its results), its per-item scores and, for a generation cell, what it
 * generated. Files are written to a temporary name and moved into place atomically, so a kill never leaves half an
 * entry; an entry that still cannot be read is reported and measured again.
 */
public final class CellCache {

    /** 2: entries carry a digest of their content. */
    static final int FORMAT_VERSION = 2;
    /** Far above any entry this tool writes (a 100k-item task is a few MB); a larger file is not ours. */
    static final long MAX_ENTRY_BYTES = 256L << 20;
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    /** Null for {@link #none()}. */
    private final Path dir;

    public CellCache(Path dir) {
        this.dir = Objects.requireNonNull(dir, "dir");
    }

    private CellCache() {
        this.dir = null;
    }

    /** A cache that holds nothing: for one-off runs ({@code ppl}) that must not leave files behind. */
    public static CellCache none() {
        return new CellCache();
    }

    public Path file(CacheKey key) {
        return dir.resolve(key.hash() + ".json");
    }

    /** Whether an entry (readable or not) lies where {@code key}'s would; never for {@link #none()}. */
    boolean holds(CacheKey key) {
        return dir != null && Files.exists(file(key));
    }

    /**
     * Waits until no other sweep measures {@code cell}, then holds it until the claim is closed (see
     * {@link CellClaim}); creates the cache directory. {@link #none()} shares no cells, so its claims hold no lock.
     */
    CellClaim claim(CacheKey key, Cell cell, Consumer<String> warnings) {
        if (dir == null) {
            return CellClaim.unshared();
        }
        OutputFiles.createDirectories(dir, "cell cache directory");
        CellClaim claim = CellClaim.acquire(dir.resolve(key.hash() + ".lock"), cell.label(), warnings);
        removeLeftovers(key);
        return claim;
    }

    /**
     * Deletes the temporary files of {@code key}'s entry that a writer killed mid-write (kill -9, a crash, power)
     * left behind. Only entries are written under a claim, so once the cell is ours no live writer owns them.
     */
    private void removeLeftovers(CacheKey key) {
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, key.hash() + ".json.*.tmp")) {
            for (Path tmp : leftovers) {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            // left for a later run: a stray temporary file costs disk space, not a result
        }
    }

    /**
     * The cached result of {@code cell}, labelled with the cell's model name; empty when there is none, or when the
     * entry is unreadable or was made for other ingredients (then {@code warnings} is told why).
     */
    public Optional<CellResult> load(CacheKey key, Cell cell, Consumer<String> warnings) {
        if (dir == null) {
            return Optional.empty();
        }
        Path file = file(key);
        String text;
        try {
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                    && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                warnings.accept(file + ": not a regular file; measuring " + cell.label() + " again");
                return Optional.empty();
            }
            if (Files.exists(file) && Files.size(file) > MAX_ENTRY_BYTES) {
                warnings.accept(file + ": larger than " + (MAX_ENTRY_BYTES >> 20) + " MiB, not an entry this tool "
                        + "writes; measuring " + cell.label() + " again");
                return Optional.empty();
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            warnings.accept(file + ": cannot read cached cell (" + e.getMessage() + "); measuring it again");
            return Optional.empty();
        }
        try {
            JsonObject json = JsonParser.parseString(text).getAsJsonObject();
            if (json.get("format").getAsInt() != FORMAT_VERSION) {
                warnings.accept(file + ": cache format " + json.get("format") + " is not " + FORMAT_VERSION
                        + "; measuring the cell again");
                return Optional.empty();
            }
            if (!ingredients(json.getAsJsonObject("ingredients")).equals(key.ingredients())) {
                warnings.accept(file + ": cached for other inputs than " + cell.label() + "; measuring it again");
                return Optional.empty();
            }
            if (json.get("digest") == null || !json.get("digest").getAsString().equals(digest(json))) {
                throw new IllegalStateException("its content does not match its digest (edited or damaged)");
            }
            return Optional.of(decode(json, cell));
        } catch (RuntimeException e) {
            // any parse or validation failure: the entry is damaged (truncated copy, hand edit), never fatal
            warnings.accept(file + ": corrupt cache entry (" + oneLine(e) + "); measuring " + cell.label() + " again");
            return Optional.empty();
        }
    }

    /**
     * Stores a freshly measured cell atomically.
     *
     * @throws InputException naming the cache directory when it cannot be written
     */
    public void store(CacheKey key, Cell cell, CellResult result) {
        if (dir == null) {
            return;
        }
        JsonObject json = new JsonObject();
        json.addProperty("format", FORMAT_VERSION);
        json.addProperty("cell", cell.label());
        JsonObject ingredients = new JsonObject();
        key.ingredients().forEach(ingredients::addProperty);
        json.add("ingredients", ingredients);
        JsonArray rows = new JsonArray();
        result.rows().forEach(r -> rows.add(encode(r)));
        json.add("rows", rows);
        JsonObject items = new JsonObject();
        result.items().forEach((k, scores) -> {
            JsonArray list = new JsonArray();
            for (ItemScore s : scores) {
                JsonArray one = new JsonArray();
                one.add(s.item());
                one.add(s.value());
                one.add(s.weight());
                list.add(one);
            }
            items.add(k.metric(), list);
        });
        json.add("items", items);
        if (!result.generations().isEmpty()) {
            JsonArray generations = new JsonArray();
            result.generations().forEach(g -> generations.add(encode(g)));
            json.add("generations", generations);
        }
        json.addProperty("digest", digest(json));
        write(file(key), GSON.toJson(json));
    }

    private void write(Path target, String content) {
        Path tmp = target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        OutputFiles.createDirectories(dir, "cell cache directory");
        OutputFiles.checkReplaceable(target);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 Writer w = Channels.newWriter(ch, StandardCharsets.UTF_8)) {
                w.write(content);
                w.flush();
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new InputException(dir + ": cannot write the cell cache: " + e.getMessage()
                    + (e instanceof java.nio.file.AccessDeniedException ? " (permission denied)" : ""));
        }
    }

    private static JsonObject encode(ResultRow r) {
        JsonObject o = new JsonObject();
        o.addProperty("comm", r.comm());
        o.addProperty("comm_path", r.commPath());
        o.addProperty("task", r.task());
        o.addProperty("metric", r.metric());
        o.add("value", number(r.value()));
        o.add("stderr", number(r.stderr()));
        o.addProperty("n", r.n());
        o.addProperty("bytes_per_forward", r.bytesPerForward());
        o.add("wall_seconds", number(r.wallSeconds()));
        o.addProperty("protocol", r.protocol());
        o.addProperty("task_version", r.taskVersion());
        o.addProperty("settings", r.settings());
        o.addProperty("tool_version", r.toolVersion());
        return o;
    }

    /** A generation as a cache entry keeps it: prompt and new ids, their log-probs, text and stop reason. */
    private static JsonObject encode(Generation g) {
        JsonObject o = new JsonObject();
        o.add("prompt_ids", ints(g.promptIds()));
        o.add("new_ids", ints(g.newIds()));
        JsonArray logProbs = new JsonArray();
        for (double lp : g.logProbs()) {
            logProbs.add(number(lp));
        }
        o.add("logprobs", logProbs);
        o.addProperty("text", g.text());
        o.addProperty("stop_reason", g.stopReason().name());
        return o;
    }

    private static JsonArray ints(int[] ids) {
        JsonArray a = new JsonArray();
        for (int id : ids) {
            a.add(id);
        }
        return a;
    }

    private static int[] ints(JsonElement e) {
        JsonArray a = e.getAsJsonArray();
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }

    private static List<Generation> decodeGenerations(JsonObject json, Cell cell) {
        int expected = cell.workload() instanceof GenerationWorkload w ? w.prompts().size()
                : cell.workload() instanceof TaskWorkload t && t.source().spec().generation() != null
                ? t.items().size() : 0;
        if (expected == 0) {
            if (json.has("generations")) {
                throw new IllegalStateException("generations in a cell that generates nothing");
            }
            return List.of();
        }
        List<Generation> out = new ArrayList<>();
        for (JsonElement e : json.getAsJsonArray("generations")) {
            JsonObject o = e.getAsJsonObject();
            JsonArray lp = o.getAsJsonArray("logprobs");
            double[] logProbs = new double[lp.size()];
            for (int i = 0; i < logProbs.length; i++) {
                logProbs[i] = number(lp.get(i));
            }
            out.add(new Generation(ints(o.get("prompt_ids")), ints(o.get("new_ids")), logProbs,
                    o.get("text").getAsString(), StopReason.valueOf(o.get("stop_reason").getAsString())));
        }
        if (out.size() != expected) {
            throw new IllegalStateException(out.size() + " generations, the plan has " + expected + " prompts");
        }
        return out;
    }

    private static CellResult decode(JsonObject json, Cell cell) {
        List<ResultRow> rows = new ArrayList<>();
        Map<CellKey, List<ItemScore>> items = new LinkedHashMap<>();
        JsonObject itemsJson = json.getAsJsonObject("items");
        for (JsonElement e : json.getAsJsonArray("rows")) {
            JsonObject o = e.getAsJsonObject();
            ResultRow row = ResultRow.measured(cell.model().name(), cell.tp(), cell.comm().label(), cell.commPath(),
                    cell.workload().name(), o.get("metric").getAsString(), number(o.get("value")),
                    number(o.get("stderr")), o.get("n").getAsLong(), o.get("bytes_per_forward").getAsLong(),
                    number(o.get("wall_seconds")), o.get("protocol").getAsString(), o.get("task_version").getAsInt(),
                    o.get("settings").getAsString(), o.get("tool_version").getAsString());
            if (!Double.isFinite(row.value())) {
                throw new IllegalStateException(row.metric() + " is " + row.value() + ", never cached");
            }
            List<ItemScore> scores = new ArrayList<>();
            Set<Integer> seen = new HashSet<>();
            int expected = expectedItems(cell);
            for (JsonElement s : itemsJson.getAsJsonArray(row.metric())) {
                JsonArray a = s.getAsJsonArray();
                ItemScore score = new ItemScore(a.get(0).getAsInt(), a.get(1).getAsDouble(), a.get(2).getAsLong());
                if (!Double.isFinite(score.value()) || score.item() < 0 || score.item() >= expected
                        || !seen.add(score.item())) {
                    throw new IllegalStateException("item " + score.item() + " of " + row.metric()
                            + " is repeated, out of range or not finite");
                }
                scores.add(score);
            }
            if (scores.size() != expected) {
                throw new IllegalStateException(scores.size() + " item scores for " + row.metric() + ", the plan has "
                        + expected);
            }
            rows.add(row);
            items.put(row.cell(), scores);
        }
        return new CellResult(rows, items, List.of(), false, decodeGenerations(json, cell));
    }

    /**
     * SHA-256 over everything an entry says (cell, ingredients, rows, item scores) in compact JSON. A parsed entry
     * serializes to the same text it was stored from (Gson keeps a number's digits), so any edit shows. It detects
     * damage and hand edits, not a forger who recomputes it: the cache is as trusted as the directory holding it.
     */
    static String digest(JsonObject json) {
        MessageDigest d = Sha256.newDigest();
        for (String part : List.of("format", "cell", "ingredients", "rows", "items")) {
            Sha256.field(d, part);
            Sha256.field(d, String.valueOf(json.get(part)));
        }
        // only generation cells have them, so the digests of the other entries are what they always were
        if (json.has("generations")) {
            Sha256.field(d, "generations");
            Sha256.field(d, String.valueOf(json.get("generations")));
        }
        return Sha256.hex(d);
    }

    /** How many item scores each metric of {@code cell} has: its task's items or its corpus's windows. */
    private static int expectedItems(Cell cell) {
        if (cell.workload() instanceof TaskWorkload t) {
            return t.items().size();
        }
        if (cell.workload() instanceof GenerationWorkload g) {
            return g.prompts().size();
        }
        return cell.model().windows(((CorpusWorkload) cell.workload()).corpus().name());
    }

    private static SortedMap<String, String> ingredients(JsonObject o) {
        SortedMap<String, String> out = new TreeMap<>();
        o.entrySet().forEach(e -> out.put(e.getKey(), e.getValue().getAsString()));
        return out;
    }

    /** JSON has no NaN: non-finite numbers are written as strings. Finite doubles round-trip exactly. */
    private static JsonElement number(double v) {
        return Double.isFinite(v) ? new JsonPrimitive(v) : new JsonPrimitive(Double.toString(v));
    }

    private static double number(JsonElement e) {
        return e.getAsJsonPrimitive().isNumber() ? e.getAsDouble() : Double.parseDouble(e.getAsString());
    }

    private static String oneLine(RuntimeException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replace('\n', ' ');
    }
}
