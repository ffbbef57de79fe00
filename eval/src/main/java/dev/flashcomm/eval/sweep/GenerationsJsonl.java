package dev.flashcomm.eval.sweep;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.flashcomm.eval.lm.Generation;
import dev.flashcomm.results.AtomicFiles;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-prompt generations as JSON lines, written atomically: the sweep's {@code generations.jsonl} beside items.csv
 * (one line per generation cell and prompt) and {@code flashcomm generate --out}. A line is one flat object; a later
 * generation task adds its own fields (a filtered answer, per-metric correctness) to the lines of its cells, and
 * readers ignore fields they do not know.
 */
public final class GenerationsJsonl {

    public static final String FILE = "generations.jsonl";
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private GenerationsJsonl() {
    }

    /** {@code generations.part-i-of-n.jsonl}: a shard's lines. */
    public static String part(Shard shard) {
        return "generations." + shard.partName() + ".jsonl";
    }

    /**
     * The lines of a sweep's cells: {@code model, tp, comm, comm_path, task} (as in results.csv), {@code index} (the
     * prompt's, as ITEM in items.csv), then {@link #fields}.
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
