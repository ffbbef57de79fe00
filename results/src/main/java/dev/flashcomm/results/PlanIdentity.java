package dev.flashcomm.results;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What makes the parts of a sharded sweep one plan, from each part's {@link Provenance}: the tool version, every
 * setting but the shard, and the content hash of every model and data file. Two parts that differ in any of them
 * were not made by one sweep command (a shard rerun with {@code --limit 3}, or on another checkpoint), and their
 * cells cannot be joined or compared with each other.
 *
 * @param models model name to its content hash
 * @param data   task or corpus to the hash of its data
 */
public record PlanIdentity(String toolVersion, Map<String, String> settings, Map<String, String> models,
                           Map<String, String> data) {

    /** The one setting that differs between the parts of a plan by design. */
    static final String SHARD = "shard";

    public PlanIdentity {
        Objects.requireNonNull(toolVersion, "toolVersion");
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
        data = Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }

    public static PlanIdentity of(Provenance p) {
        Map<String, String> settings = new LinkedHashMap<>(p.settings());
        settings.remove(SHARD);
        Map<String, String> models = new LinkedHashMap<>();
        p.models().forEach(m -> models.put(m.name(), m.sha256()));
        Map<String, String> data = new LinkedHashMap<>();
        p.data().forEach(d -> data.put(d.task(), d.sha256()));
        return new PlanIdentity(p.toolVersion(), settings, models, data);
    }

    /**
     * The first way this identity differs from {@code first}'s, in words ({@code setting limit is 3, not 0});
     * empty when both name one plan.
     */
    public Optional<String> differenceFrom(PlanIdentity first) {
        if (!toolVersion.equals(first.toolVersion)) {
            return Optional.of("tool version is " + toolVersion + ", not " + first.toolVersion);
        }
        Optional<String> setting = firstDifference("setting", settings, first.settings, false);
        if (setting.isPresent()) {
            return setting;
        }
        Optional<String> model = firstDifference("model", models, first.models, true);
        return model.isPresent() ? model : firstDifference("data of", data, first.data, true);
    }

    private static Optional<String> firstDifference(String what, Map<String, String> mine, Map<String, String> theirs,
                                                    boolean hashes) {
        for (String key : union(mine, theirs)) {
            String a = mine.get(key);
            String b = theirs.get(key);
            if (!Objects.equals(a, b)) {
                String ours = a == null ? "absent" : hashes ? "content " + shortHash(a) : "'" + a + "'";
                String other = b == null ? "absent" : hashes ? "content " + shortHash(b) : "'" + b + "'";
                return Optional.of(what + " " + key + " is " + ours + ", not " + other);
            }
        }
        return Optional.empty();
    }

    private static Iterable<String> union(Map<String, String> a, Map<String, String> b) {
        Map<String, Boolean> keys = new LinkedHashMap<>();
        a.keySet().forEach(k -> keys.put(k, true));
        b.keySet().forEach(k -> keys.put(k, true));
        return keys.keySet();
    }

    private static String shortHash(String sha256) {
        return sha256.length() > 12 ? sha256.substring(0, 12) + "..." : sha256;
    }
}
