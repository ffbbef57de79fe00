package dev.flashcomm.results;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * How the gate judged one metric row.
 *
 * @param row      the row judged
 * @param cell     the row's label in messages, e.g. {@code llama3-tiny tp=2 int4-asym-g128 piqa acc}
 * @param baseline the reference value it was compared with
 * @param bound    what was judged: the value itself, or its one-sided confidence bound under {@code --confidence}
 * @param limit    the worst value the bounds allow (a floor for accuracies, a ceiling for perplexity)
 * @param pValue   the paired test against this very reference, when there is one
 * @param outcome  the verdict
 * @param reason   why, in a few words (empty when it passed plainly)
 */
public record GateVerdict(ResultRow row, String cell, double baseline, double bound, double limit,
                          OptionalDouble pValue, Outcome outcome, String reason) {

    /** The verdict on one row. */
    public enum Outcome {
        PASS,
        /** out of bounds, but its difference from the baseline is not significant at {@code --require-significance} */
        PASS_NOT_SIGNIFICANT,
        FAIL
    }

    public GateVerdict {
        Objects.requireNonNull(row, "row");
        Objects.requireNonNull(cell, "cell");
        Objects.requireNonNull(pValue, "pValue");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(reason, "reason");
    }

    public boolean failed() {
        return outcome == Outcome.FAIL;
    }

    /** value − baseline. */
    public double delta() {
        return row.value() - baseline;
    }
}
