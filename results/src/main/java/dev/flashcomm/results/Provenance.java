package dev.flashcomm.results;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where a results file came from, written to {@code results.json} beside it (CSV files carry no comment lines): the
 * tool, the command line, when it ran, what exactly was measured (model and data contents by SHA-256, not only
 * paths), every setting, and the machine (engine, libtorch, devices).
 *
 * @param command     the command line that wrote the file, e.g. {@code flashcomm sweep --model ...}
 * @param date        when that command started
 * @param settings    every setting of the run by name, in a stable order
 * @param environment engine, libtorch version, devices, Java, operating system
 * @param parts       for a file merged from shards: each shard's own provenance (its sweep command among them)
 */
public record Provenance(String toolVersion, String command, Instant date, List<ModelRef> models,
                         List<DataRef> data, Map<String, String> settings, Map<String, String> environment,
                         List<Provenance> parts) {

    /** A model as measured: its directory name (the MODEL column), where it was, and its content hash. */
    public record ModelRef(String name, String path, String sha256) {
        public ModelRef {
            Checks.requireName("model name", name);
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(sha256, "sha256");
        }
    }

    /** A task or corpus (the TASK column), its file and the SHA-256 of its data (side files included). */
    public record DataRef(String task, String path, String sha256) {
        public DataRef {
            Checks.requireName("task", task);
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(sha256, "sha256");
        }
    }

    public Provenance {
        Checks.requireName("tool version", toolVersion);
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(date, "date");
        models = List.copyOf(models);
        data = List.copyOf(data);
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        parts = List.copyOf(parts);
    }

    /** The provenance of a merge of {@code parts}: their models, data and settings, and each part kept whole. */
    public static Provenance merged(String toolVersion, String command, Instant date, List<Provenance> parts) {
        Map<String, ModelRef> models = new LinkedHashMap<>();
        Map<String, DataRef> data = new LinkedHashMap<>();
        Map<String, String> settings = new LinkedHashMap<>();
        Map<String, String> environment = new LinkedHashMap<>();
        for (Provenance p : parts) {
            p.models().forEach(m -> models.putIfAbsent(m.name(), m));
            p.data().forEach(d -> data.putIfAbsent(d.task(), d));
            p.settings().forEach(settings::putIfAbsent);
            p.environment().forEach(environment::putIfAbsent);
        }
        settings.remove("shard"); // the merge holds all of them
        return new Provenance(toolVersion, command, date, List.copyOf(models.values()), List.copyOf(data.values()),
                settings, environment, parts);
    }
}
