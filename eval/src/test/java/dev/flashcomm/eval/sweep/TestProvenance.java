package dev.flashcomm.eval.sweep;

import dev.flashcomm.results.Provenance;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A provenance for outputs that tests write by hand (no plan, no engine). */
public final class TestProvenance {

    private TestProvenance() {
    }

    public static Provenance of(String command) {
        return new Provenance("test", command, Instant.parse("2026-12-02T00:00:00Z"), List.of(), List.of(),
                Map.of("batch", "4"), Map.of(), List.of());
    }
}
