package dev.flashcomm.eval.sweep;

import dev.flashcomm.eval.lm.ScoringModel;

/**
 * Loads a planned model at a TP degree when the sweep reaches its first uncached cell. The CLI passes one that draws
 * a progress bar; tests and library use get {@link Sweep}'s plain loader. The caller closes the result.
 */
@FunctionalInterface
public interface ModelOpener {
    ScoringModel open(PreparedModel model, int tp);
}
