package dev.flashcomm.results;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The part of a row's SETTINGS that says how its cell was measured apart from its communication format: sequence
 * length, batch, limits, dtype, device, engine. A row and the row it is compared with (its baseline, its counterpart
 * in a gate's baseline file) must agree on it, or the difference measures the settings and not the format.
 *
 * @param values {@code k=v} pairs in SETTINGS order, the communication keys left out
 */
public record PlanSettings(Map<String, String> values) {

    /** What {@code CommSettings} writes about the format; they differ between a cell and its baseline by design. */
    static final Set<String> COMM_KEYS = Set.of("preset", "format", "acc", "cast", "min_bytes", "fallback", "scope");

    public PlanSettings {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** The plan settings of {@code row}; pairs without '=' (free-form text of an older file) are ignored. */
    public static PlanSettings of(ResultRow row) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : row.settings().split(";")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && !COMM_KEYS.contains(pair.substring(0, eq).strip())) {
                values.putIfAbsent(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
            }
        }
        return new PlanSettings(values);
    }

    /** One setting two rows name with different values. */
    public record Difference(String key, String mine, String theirs) {
        public String mineText() {
            return key + "=" + mine;
        }

        public String theirsText() {
            return key + "=" + theirs;
        }
    }

    /**
     * The first setting both name with different values; empty when they agree. A setting only one of them names is
     * no difference: files of earlier versions recorded fewer.
     */
    public Optional<Difference> differenceFrom(PlanSettings other) {
        for (Map.Entry<String, String> e : values.entrySet()) {
            String theirs = other.values.get(e.getKey());
            if (theirs != null && !theirs.equals(e.getValue())) {
                return Optional.of(new Difference(e.getKey(), e.getValue(), theirs));
            }
        }
        return Optional.empty();
    }
}
