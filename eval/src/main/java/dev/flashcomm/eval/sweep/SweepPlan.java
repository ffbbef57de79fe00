package dev.flashcomm.eval.sweep;

import dev.flashcomm.eval.Provenance;
import dev.flashcomm.eval.ToolVersion;
import dev.flashcomm.tp.Engines;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A checked sweep: every input was read and found usable, and the matrix is laid out in its fixed order (model, TP,
 * communication setting with the baseline first, then perplexity corpora and tasks).
 *
 * @param notes things the user should know that are not errors (a defaulted window length, a TP of 1)
 */
public record SweepPlan(SweepConfig config, List<PreparedModel> models, List<Cell> cells, List<String> notes) {

    public SweepPlan {
        Objects.requireNonNull(config, "config");
        models = List.copyOf(models);
        cells = List.copyOf(cells);
        notes = List.copyOf(notes);
    }

    /**
     * Where this plan's results come from, dated now: the tool and engine, {@code command}, every model's path and
     * content hash and every data file's path and hash, and the run-wide settings that rows do not carry.
     */
    public Provenance provenance(List<String> command) {
        Map<String, String> modelIds = new LinkedHashMap<>();
        for (PreparedModel m : models) {
            modelIds.put(m.name(), m.dir().toAbsolutePath().normalize() + " sha256:" + m.identity());
        }
        Map<String, String> data = new LinkedHashMap<>();
        for (Cell c : cells) {
            data.putIfAbsent(c.workload().name(), c.workload().file().toAbsolutePath().normalize() + " sha256:"
                    + c.workload().dataIdentity());
        }
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("seed", Long.toString(config.seed()));
        settings.put("shard", config.shard().toString());
        return new Provenance(ToolVersion.VERSION, Engines.describe(), Instant.now(), command, modelIds, data,
                config.device().strip(), settings);
    }

    /** The cells this job's shard runs, in matrix order. */
    public List<Cell> owned() {
        return cells.stream().filter(c -> config.shard().owns(c.position())).toList();
    }
}
