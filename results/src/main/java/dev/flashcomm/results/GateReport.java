package dev.flashcomm.results;

import java.util.List;

/**
 * Outcome of the CI gate.
 *
 * @param violations one readable line per cell out of bounds
 * @param checked    number of cells compared with a bound
 * @param notGated   one line per row that was not compared (unknown metric, or no counterpart in the baseline file)
 */
public record GateReport(List<String> violations, int checked, List<String> notGated) {

    public GateReport {
        violations = List.copyOf(violations);
        notGated = List.copyOf(notGated);
        if (checked < 0) {
            throw new IllegalArgumentException("checked must be >= 0, got " + checked);
        }
    }

    /** True when no checked cell is out of bounds (also when nothing could be checked: see {@link #checked()}). */
    public boolean passed() {
        return violations.isEmpty();
    }
}
