package dev.flashcomm.datasets;

/** How a task turns log-likelihoods into metrics (lm-eval's {@code output_type}). */
public enum OutputType {
    /** Score every choice; the prediction is the argmax of (normalised) log-likelihood. */
    MULTIPLE_CHOICE,
    /** One target continuation: correct when every target token is the greedy argmax (lambada). */
    GREEDY_CONTINUATION
}
