package dev.flashcomm.eval.lm;

/**
 * For one sequence: at every position t the log-probability the model gave to token t+1, and whether token t+1
 * was the argmax. Arrays have {@code length - 1} entries. Log-probs are held as double so that summing hundreds of
 * them (long continuations, whole windows) adds no fp32 rounding of its own.
 */
public record TokenScores(double[] logProbs, boolean[] greedy) {

    public TokenScores {
        if (logProbs.length != greedy.length) {
            throw new IllegalArgumentException("log-probs and greedy flags differ in length");
        }
        logProbs = logProbs.clone();
        greedy = greedy.clone();
    }

    @Override
    public double[] logProbs() {
        return logProbs.clone();
    }

    @Override
    public boolean[] greedy() {
        return greedy.clone();
    }

    public int length() {
        return logProbs.length;
    }

    /** Sum of log-probs over positions [from, to), in double. */
    public double sum(int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += logProbs[i];
        }
        return s;
    }

    /** Whether every position in [from, to) was the greedy choice. */
    public boolean allGreedy(int from, int to) {
        for (int i = from; i < to; i++) {
            if (!greedy[i]) {
                return false;
            }
        }
        return true;
    }
}
