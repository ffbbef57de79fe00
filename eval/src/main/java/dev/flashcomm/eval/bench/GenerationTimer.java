package dev.flashcomm.eval.bench;

/**
 * How {@code bench} times one generation. The command uses {@link BestOfTimer} on the system clock; a test gives
 * the seconds by hand, so which decode rows a run prints and records does not depend on how busy the machine is.
 */
@FunctionalInterface
public interface GenerationTimer {

    /**
     * The seconds {@code generation} takes; it makes {@code newTokens} new tokens per prompt (a clock needs only
     * the work; timings given by hand are worked out from the token count).
     */
    double seconds(int newTokens, Runnable generation);
}
