package dev.flashcomm.datasets;

import java.util.Objects;

/**
 * Scores one generation of a {@link OutputType#GENERATE_UNTIL} item (GSM8K) as lm-eval does: the filter of the
 * metric ({@link AnswerFilter}), then {@link ExactMatch#GSM8K} against the reference, lm-eval's
 * {@code doc_to_target}: the item's continuation without the target delimiter, i.e. the whole answer text, whose
 * {@code "(?s).*#### "} ignore rule leaves the final number.
 */
public final class GenerationScoring {
    private GenerationScoring() {
    }

    /** The filter an exact-match metric applies first. */
    public static AnswerFilter filterOf(Metric metric) {
        return switch (metric) {
            case EXACT_MATCH_STRICT -> AnswerFilter.STRICT_MATCH;
            case EXACT_MATCH_FLEXIBLE -> AnswerFilter.FLEXIBLE_EXTRACT;
            default -> throw new IllegalArgumentException(metric.id() + " is not a generation metric");
        };
    }

    /**
     * 1 or 0 for {@code generation} (already cut at the stop strings, {@link GenerationSpec#truncate}) of
     * {@code item} under {@code metric}.
     */
    public static double score(Metric metric, String generation, TaskItem item) {
        Objects.requireNonNull(generation, "generation");
        return ExactMatch.GSM8K.score(filterOf(metric).apply(generation), reference(item));
    }

    /** lm-eval's {@code doc_to_target}: the gold continuation without its leading target delimiter. */
    public static String reference(TaskItem item) {
        String continuation = item.goldChoice().continuation();
        return continuation.startsWith(" ") ? continuation.substring(1) : continuation;
    }
}
