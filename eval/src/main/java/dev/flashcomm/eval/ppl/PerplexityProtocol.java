package dev.flashcomm.eval.ppl;

import dev.flashcomm.eval.InputException;
import dev.flashcomm.eval.Progress;
import dev.flashcomm.eval.lm.ScoringModel;
import dev.flashcomm.eval.lm.TokenScores;
import dev.flashcomm.tp.comm.Communicator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Perplexity as the GPTQ / AWQ / QuaRot papers compute it: the corpus tokenized once, cut into
 * {@code len / L} non-overlapping windows of L tokens (tail dropped), each window scored alone with its first token
 * unscored, {@code ppl = exp(mean NLL)}. Not comparable with lm-eval's rolling-window word perplexity.
 */
public final class PerplexityProtocol {

    public static final String NAME = "gptq-ppl";

    private final int seqLen;
    private final int batch;

    public PerplexityProtocol(int seqLen, int batch) {
        if (seqLen < 2) {
            throw new IllegalArgumentException("--seq-len must be at least 2, got " + seqLen);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        }
        this.seqLen = seqLen;
        this.batch = batch;
    }

    public int seqLen() {
        return seqLen;
    }

    /** A description for result tables: the protocol and its one parameter. */
    public String describe() {
        return NAME + " seq_len=" + seqLen;
    }

    /** Number of windows {@code ids} yields; an input error when it yields none. */
    public int windows(int[] ids, String source) {
        int n = ids.length / seqLen;
        if (n == 0) {
            throw new InputException(source + ": only " + ids.length + " tokens, shorter than one window of --seq-len "
                    + seqLen);
        }
        return n;
    }

    /**
     * {@code ids} cut to its first {@code maxWindows} windows, or as is when {@code maxWindows} is 0 or not fewer
     * than the windows there are; an input error when {@code ids} holds no whole window.
     */
    public int[] firstWindows(int[] ids, int maxWindows, String source) {
        if (maxWindows < 0) {
            throw new InputException("--limit must be >= 0 (0 = all windows), got " + maxWindows);
        }
        int n = windows(ids, source);
        return maxWindows > 0 && maxWindows < n ? Arrays.copyOf(ids, maxWindows * seqLen) : ids;
    }

    public PerplexityResult evaluate(ScoringModel model, Communicator comm, int[] ids, String source,
                                     Progress progress) {
        int windows = windows(ids, source);
        double[] windowNll = new double[windows];
        double total = 0;
        long start = System.nanoTime();
        for (int w0 = 0; w0 < windows; w0 += batch) {
            int w1 = Math.min(windows, w0 + batch);
            List<int[]> seqs = new ArrayList<>(w1 - w0);
            for (int w = w0; w < w1; w++) {
                seqs.add(Arrays.copyOfRange(ids, w * seqLen, (w + 1) * seqLen));
            }
            List<TokenScores> scores = model.score(seqs, comm, false);
            for (int i = 0; i < scores.size(); i++) {
                TokenScores s = scores.get(i);
                double nll = -s.sum(0, s.length());
                windowNll[w0 + i] = nll;
                total += nll;
            }
            progress.update(w1, windows);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long scored = (long) windows * (seqLen - 1);
        return new PerplexityResult(seqLen, ids.length, windows, scored, total / scored, windowNll, seconds);
    }
}
