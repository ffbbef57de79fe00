package dev.flashcomm.tp.model;

import java.util.Arrays;

/**
 * Which experts each token of a sparse layer uses, and with what weight: the top-k of the router's fp32 softmax
 * (ties to the lower expert index), renormalised to sum 1 when the family says so. Computed on the host from the
 * probabilities, so the tie rule is exact and every rank, and every diagnostic, sees the same choice.
 *
 * <p>A token's k choices are stored in increasing expert order (the order the combine sums them in). Pairs are
 * numbered {@code t·k + j}; {@link #order()} lists them grouped by expert, tokens ascending within an expert, which is
 * how the experts' inputs are gathered: one contiguous block of rows per expert.
 *
 * @param tokens  T
 * @param topK    k
 * @param experts E
 * @param choice  {@code [T·k]} expert of each pair
 * @param weight  {@code [T·k]} its routing weight
 */
public record Routing(int tokens, int topK, int experts, int[] choice, float[] weight) {

    /**
     * Routes {@code tokens} rows of softmax probabilities {@code probs [T·E]}.
     *
     * @param renormalize divide the k selected probabilities by their sum ({@code norm_topk_prob})
     */
    public static Routing of(float[] probs, int tokens, int experts, int topK, boolean renormalize) {
        if ((long) tokens * experts != probs.length) {
            throw new IllegalArgumentException(probs.length + " probabilities for " + tokens + " tokens and "
                    + experts + " experts");
        }
        int[] choice = new int[tokens * topK];
        float[] weight = new float[tokens * topK];
        int[] picked = new int[topK];
        for (int t = 0; t < tokens; t++) {
            int row = t * experts;
            // one pass keeping the k best in order (probability descending, index ascending): a later expert only
            // moves ahead of one whose probability it strictly exceeds, so a tie keeps the lower index first
            int filled = 0;
            for (int e = 0; e < experts; e++) {
                float p = probs[row + e];
                if (filled == topK && !(p > probs[row + picked[topK - 1]])) {
                    continue;
                }
                int j = Math.min(filled, topK - 1);
                while (j > 0 && p > probs[row + picked[j - 1]]) {
                    picked[j] = picked[j - 1];
                    j--;
                }
                picked[j] = e;
                filled = Math.min(filled + 1, topK);
            }
            float sum = 0f;
            for (int j = 0; j < topK; j++) {
                sum += probs[row + picked[j]]; // in descending order of probability, as torch sums topk's output
            }
            int[] ascending = picked.clone();
            Arrays.sort(ascending);
            for (int j = 0; j < topK; j++) {
                float p = probs[row + ascending[j]];
                choice[t * topK + j] = ascending[j];
                weight[t * topK + j] = renormalize ? p / sum : p;
            }
        }
        return new Routing(tokens, topK, experts, choice, weight);
    }

    public int pairs() {
        return tokens * topK;
    }

    /** Pairs routed to each expert. */
    public int[] counts() {
        int[] n = new int[experts];
        for (int e : choice) {
            n[e]++;
        }
        return n;
    }

    /** Pair indices grouped by expert (ascending), tokens ascending within each expert. */
    public int[] order() {
        int[] start = new int[experts + 1];
        for (int e : choice) {
            start[e + 1]++;
        }
        for (int e = 0; e < experts; e++) {
            start[e + 1] += start[e];
        }
        int[] out = new int[choice.length];
        for (int p = 0; p < choice.length; p++) {
            out[start[choice[p]]++] = p;
        }
        return out;
    }

    /** Whether token {@code t} uses expert {@code e}. */
    public boolean uses(int t, int e) {
        for (int j = 0; j < topK; j++) {
            if (choice[t * topK + j] == e) {
                return true;
            }
        }
        return false;
    }

    /** Whether token {@code t} selected the same set of experts here as in {@code other}. */
    public boolean sameChoice(int t, Routing other) {
        return Arrays.equals(choice, t * topK, (t + 1) * topK, other.choice, t * topK, (t + 1) * topK);
    }
}
