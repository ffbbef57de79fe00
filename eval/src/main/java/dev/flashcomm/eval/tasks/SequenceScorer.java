package dev.flashcomm.eval.tasks;

import dev.flashcomm.eval.lm.TokenScores;
import java.util.List;

/**
 * Scores a batch of token sequences: for each, at every position t, the log-prob of token t+1 and whether it was the
 * argmax. {@code ScoringModel} with a fixed communicator is one; tests pass arithmetic fakes.
 */
@FunctionalInterface
public interface SequenceScorer {

    /** One {@link TokenScores} per sequence, in order, each of length {@code sequence.length - 1}. */
    List<TokenScores> score(List<int[]> sequences);
}
