package dev.flashcomm.datasets;

/** How a task turns model outputs into metrics (lm-eval's {@code output_type}). */
public enum OutputType {
    /** Score every choice; the prediction is the argmax of (normalised) log-likelihood. */
    MULTIPLE_CHOICE,
    /** One target continuation: correct when every target token is the greedy argmax (lambada). */
    GREEDY_CONTINUATION,
    /**
     * Greedy generation after the context until a stop string ({@link GenerationSpec}); the text is filtered and
     * compared with the item's reference answer, the continuation of its one choice ({@link GenerationScoring}).
     */
    GENERATE_UNTIL
}
