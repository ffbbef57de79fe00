package dev.flashcomm.eval.tasks;

import dev.flashcomm.eval.lm.TokenScores;
import java.util.ArrayList;
import java.util.List;

/**
 * A model whose numbers can be worked out by hand: the log-prob of next token x is −x/100 and x is the argmax when
 * it is even. It records every batch it is asked to score.
 */
final class ArithmeticScorer implements SequenceScorer {

    private final List<List<int[]>> batches = new ArrayList<>();

    List<List<int[]>> batches() {
        return batches;
    }

    @Override
    public List<TokenScores> score(List<int[]> sequences) {
        batches.add(List.copyOf(sequences));
        List<TokenScores> out = new ArrayList<>();
        for (int[] s : sequences) {
            double[] lp = new double[s.length - 1];
            boolean[] g = new boolean[s.length - 1];
            for (int t = 0; t + 1 < s.length; t++) {
                lp[t] = -s[t + 1] / 100.0;
                g[t] = s[t + 1] % 2 == 0;
            }
            out.add(new TokenScores(lp, g));
        }
        return out;
    }
}
