package dev.flashcomm.eval;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where a results file came from: tool and engine versions, when, the command line, every model (path and content
 * hash) and data file (hash), the devices and the run-wide settings. Rows carry only what a cell's numbers depend
 * on (so a resumed or repeated cell is the same row); everything else about the run is here, once per file. Today
 * it is written as the results files' header comments; a machine-readable summary beside them takes it whole.
 *
 * @param command  the command line after {@code flashcomm}, as given
 * @param models   model name to {@code path sha256:identity}
 * @param data     TASK column value to {@code path sha256:identity}
 * @param settings run-wide settings that are not in the rows ({@code seed}, {@code shard})
 */
public record Provenance(String toolVersion, String engine, Instant date, List<String> command,
                         Map<String, String> models, Map<String, String> data, String devices,
                         Map<String, String> settings) {

    public Provenance {
        Objects.requireNonNull(toolVersion, "toolVersion");
        Objects.requireNonNull(engine, "engine");
        date = date.truncatedTo(ChronoUnit.SECONDS);
        command = List.copyOf(command);
        models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
        data = Collections.unmodifiableMap(new LinkedHashMap<>(data));
        Objects.requireNonNull(devices, "devices");
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /**
     * One line per fact, {@code key value}: the tool version first and the command line second, as results files
     * have always begun.
     */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add("flashcomm " + toolVersion);
        lines.add("command: flashcomm " + String.join(" ", command));
        lines.add("date " + date);
        lines.add("engine " + engine);
        lines.add("devices " + devices);
        models.forEach((name, where) -> lines.add("model " + name + " " + where));
        data.forEach((task, where) -> lines.add("data " + task + " " + where));
        settings.forEach((k, v) -> lines.add("setting " + k + "=" + v));
        return List.copyOf(lines);
    }
}
