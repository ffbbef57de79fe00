package dev.flashcomm.eval.sweep;

import dev.flashcomm.eval.ToolVersion;
import dev.flashcomm.results.Provenance;
import dev.flashcomm.tp.Engines;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The {@link Provenance} of a sweep (or of a one-cell run): what it measured, with which settings, on what. */
public final class RunProvenance {

    private RunProvenance() {
    }

    /**
     * @param command the command line as the user typed it, {@code flashcomm ...}
     * @param started when the command started
     */
    public static Provenance of(SweepPlan plan, String command, Instant started) {
        SweepConfig c = plan.config();
        List<Provenance.ModelRef> models = new ArrayList<>();
        for (PreparedModel m : plan.models()) {
            models.add(new Provenance.ModelRef(m.name(), m.dir().toAbsolutePath().toString(), m.identity()));
        }
        Map<String, Provenance.DataRef> data = new LinkedHashMap<>();
        for (Cell cell : plan.cells()) {
            Workload w = cell.workload();
            data.putIfAbsent(w.name(), new Provenance.DataRef(w.name(), w.file().toAbsolutePath().toString(),
                    w.dataIdentity()));
        }
        return new Provenance(ToolVersion.VERSION, command, started, models, List.copyOf(data.values()),
                settings(plan), environment(c.device()), List.of());
    }

    /**
     * A data file as provenance records it: its content's SHA-256.
     *
     * @throws dev.flashcomm.eval.InputException naming the file when it cannot be read
     */
    public static Provenance.DataRef data(String task, Path file) {
        try {
            return new Provenance.DataRef(task, file.toAbsolutePath().toString(), Sha256.ofFile(file));
        } catch (IOException e) {
            throw new dev.flashcomm.eval.InputException(file + ": cannot read: " + e.getMessage());
        }
    }

    /** Every setting of the sweep, by the names results rows and cache keys use. */
    static Map<String, String> settings(SweepPlan plan) {
        SweepConfig c = plan.config();
        Map<String, String> s = new LinkedHashMap<>();
        s.put("tp", join(c.tps()));
        s.put("comm", c.commSettings().stream().map(x -> x.label()).collect(Collectors.joining(",")));
        s.put("baseline_comm", c.baselineLabel().orElse(""));
        s.put("comm_path", c.commPath().name().toLowerCase(java.util.Locale.ROOT));
        s.put("scope", c.scope().describe());
        s.put("tasks", c.tasks().stream().map(t -> t.spec().name() + " v" + t.spec().version())
                .collect(Collectors.joining(",")));
        s.put("ppl", c.corpora().stream().map(x -> x.task() + (x.wikitext() ? " (wikitext rows)" : ""))
                .collect(Collectors.joining(",")));
        s.put("seq_len", plan.models().stream().map(m -> m.name() + "=" + m.seqLen())
                .collect(Collectors.joining(",")));
        s.put("batch", c.batch().toString());
        s.put("limit", c.limit().toString());
        s.put("max_windows", c.maxWindows().toString());
        s.put("dtype", c.dtypeName());
        s.put("device", c.device().strip());
        s.put("comm_impl", c.commImplName());
        s.put("seed", Long.toString(c.seed()));
        s.put("shard", c.shard().toString());
        // lm-eval's num_fewshot is one number; a sweep whose tasks differ (gsm8k 5, piqa 0) lists them per task
        List<String> shots = c.tasks().stream().map(t -> Integer.toString(t.fewshot().shots())).distinct().toList();
        s.put("num_fewshot", shots.isEmpty() ? "0" : shots.size() == 1 ? shots.get(0)
                : c.tasks().stream().map(t -> t.spec().name() + "=" + t.fewshot().shots())
                        .collect(Collectors.joining(",")));
        s.put("fewshot_seed", c.tasks().stream().map(t -> Long.toString(t.fewshot().seed())).distinct()
                .collect(Collectors.joining(",")));
        return s;
    }

    /** The machine: engine and libtorch, devices, Java and the operating system. */
    public static Map<String, String> environment(String devices) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("engine", Engines.describe());
        e.put("devices", devices.strip());
        e.put("java", System.getProperty("java.vendor") + " " + System.getProperty("java.version"));
        e.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        e.put("cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
        return e;
    }

    private static String join(List<Integer> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
