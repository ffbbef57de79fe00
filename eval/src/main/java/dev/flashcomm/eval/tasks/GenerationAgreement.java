package dev.flashcomm.eval.tasks;

import dev.flashcomm.eval.lm.Generation;
import java.util.List;

/**
 * Generation agreement, per prompt: whether the greedy continuation under a format equals the baseline's token for
 * token, and where the two first differ. Paired by construction (the same prompts, the same model), and sensitive
 * where task accuracy is flat: one flipped argmax anywhere in the continuation shows.
 *
 * <p>{@code first_divergence} is the 0-based index of the first new token that differs. A pair that never differs
 * counts its length (max-new-tokens when no stop applies), so the number is censored there: an identical pair says
 * "at least this far", and the mean is a lower bound of the mean divergence position. When one continuation is a
 * strict prefix of the other (a stop ended one early) they diverge where the shorter ends.
 *
 * @param agree           per prompt, 1 when the continuations are identical, else 0
 * @param firstDivergence per prompt, the first differing position as above
 */
public record GenerationAgreement(double[] agree, double[] firstDivergence) {

    /** The metric ids in results files; results' {@code MetricKind} knows both (higher is better). */
    public static final String AGREEMENT = "agreement";
    public static final String FIRST_DIVERGENCE = "first_divergence";

    public GenerationAgreement {
        agree = agree.clone();
        firstDivergence = firstDivergence.clone();
        if (agree.length != firstDivergence.length || agree.length == 0) {
            throw new IllegalArgumentException("one agreement and one divergence per prompt, at least one prompt");
        }
    }

    /** Compares each generation with the baseline's of the same prompt (same index). */
    public static GenerationAgreement of(List<Generation> baseline, List<Generation> variant) {
        if (baseline.size() != variant.size()) {
            throw new IllegalArgumentException(variant.size() + " generations against " + baseline.size()
                    + " of the baseline");
        }
        int n = baseline.size();
        double[] agree = new double[n];
        double[] first = new double[n];
        for (int i = 0; i < n; i++) {
            int[] a = baseline.get(i).newIds();
            int[] b = variant.get(i).newIds();
            int d = firstDivergence(a, b);
            first[i] = d;
            agree[i] = d == a.length && a.length == b.length ? 1 : 0;
        }
        return new GenerationAgreement(agree, first);
    }

    /** The first index where {@code a} and {@code b} differ, or the shorter length when one is a prefix of the other. */
    public static int firstDivergence(int[] a, int[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            if (a[i] != b[i]) {
                return i;
            }
        }
        return n;
    }

    @Override
    public double[] agree() {
        return agree.clone();
    }

    @Override
    public double[] firstDivergence() {
        return firstDivergence.clone();
    }
}
