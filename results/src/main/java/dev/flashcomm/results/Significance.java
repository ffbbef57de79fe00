package dev.flashcomm.results;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/** Paired significance tests of a comm format against the baseline, on the same evaluation items. */
public final class Significance {

    public static final String MCNEMAR = "mcnemar";
    public static final String PAIRED_BOOTSTRAP = "paired-bootstrap";

    private static final double LN2 = Math.log(2);

    private Significance() {
    }

    /**
     * Exact two-sided McNemar test: under the null hypothesis the discordant items are split by a fair coin, so
     * p = min(1, 2·P(X ≤ min(b, c))) with X ~ Binomial(b + c, 1/2), where b counts items only the baseline got right
     * and c items only the variant got right. Returns 1 when there are no discordant items.
     *
     * @throws IllegalArgumentException when the arrays differ in length (they must be paired item by item)
     */
    public static double mcnemarExact(boolean[] base, boolean[] variant) {
        if (base.length != variant.length) {
            throw new IllegalArgumentException(
                    "paired items differ in number: " + base.length + " vs " + variant.length);
        }
        int onlyBase = 0;
        int onlyVariant = 0;
        for (int i = 0; i < base.length; i++) {
            if (base[i] && !variant[i]) {
                onlyBase++;
            } else if (!base[i] && variant[i]) {
                onlyVariant++;
            }
        }
        int discordant = onlyBase + onlyVariant;
        if (discordant == 0) {
            return 1.0;
        }
        return Math.min(1.0, 2 * binomialHalfCdf(Math.min(onlyBase, onlyVariant), discordant));
    }

    /** P(X ≤ k) for X ~ Binomial(n, 1/2), summed in log space because C(n, k)/2^n underflows for large n. */
    private static double binomialHalfCdf(int k, int n) {
        double logTerm = -n * LN2; // log C(n, 0) / 2^n
        double logMax = logTerm;
        double[] logs = new double[k + 1];
        logs[0] = logTerm;
        for (int i = 1; i <= k; i++) {
            logTerm += Math.log(n - i + 1) - Math.log(i);
            logs[i] = logTerm;
            logMax = Math.max(logMax, logTerm);
        }
        double sum = 0;
        for (double l : logs) {
            sum += Math.exp(l - logMax);
        }
        return Math.exp(logMax) * sum;
    }

    /**
     * Paired bootstrap test of a perplexity difference. Each resample draws {@code base.size()} item positions with
     * replacement, the same positions for both formats, and computes
     * {@code ppl(variant) − ppl(base)} with {@code ppl = exp(Σ value / Σ weight)}. The two-sided p-value is
     * {@code min(1, 2·min(F≤0, F≥0))}, F being the fraction of resamples whose difference is ≤ 0 (resp. ≥ 0): identical
     * scores give 1, and 0 means "below 1/resamples". Only the sign of the difference counts, so the result holds for
     * any increasing function of the mean NLL (word/byte perplexity, bits per byte).
     *
     * <p>Deterministic for a given seed (uses {@link SplittableRandom}).
     *
     * @throws IllegalArgumentException when the item sets differ, an item repeats, or there are no items
     */
    public static double pairedBootstrapPpl(List<ItemScore> base, List<ItemScore> variant, int resamples, long seed) {
        if (resamples < 1) {
            throw new IllegalArgumentException("resamples must be >= 1, got " + resamples);
        }
        ItemScore[][] pairs = pair(base, variant);
        ItemScore[] b = pairs[0];
        ItemScore[] v = pairs[1];
        int n = b.length;
        SplittableRandom random = new SplittableRandom(seed);
        long atMostZero = 0;
        long atLeastZero = 0;
        for (int r = 0; r < resamples; r++) {
            double baseNll = 0;
            double baseTokens = 0;
            double variantNll = 0;
            double variantTokens = 0;
            for (int i = 0; i < n; i++) {
                int pick = random.nextInt(n);
                baseNll += b[pick].value();
                baseTokens += b[pick].weight();
                variantNll += v[pick].value();
                variantTokens += v[pick].weight();
            }
            double diff = Math.exp(variantNll / variantTokens) - Math.exp(baseNll / baseTokens);
            if (diff <= 0) {
                atMostZero++;
            }
            if (diff >= 0) {
                atLeastZero++;
            }
        }
        return Math.min(1.0, 2.0 * Math.min(atMostZero, atLeastZero) / resamples);
    }

    /** Both lists sorted by item index, after checking that they cover the same items exactly once. */
    static ItemScore[][] pair(List<ItemScore> base, List<ItemScore> variant) {
        ItemScore[] b = sortedByItem(base, "baseline");
        ItemScore[] v = sortedByItem(variant, "variant");
        if (b.length != v.length) {
            throw new IllegalArgumentException("paired items differ in number: " + b.length + " vs " + v.length);
        }
        if (b.length == 0) {
            throw new IllegalArgumentException("no items to compare");
        }
        for (int i = 0; i < b.length; i++) {
            if (b[i].item() != v[i].item()) {
                throw new IllegalArgumentException("item sets differ: item " + Math.min(b[i].item(), v[i].item())
                        + " is scored for only one of the two formats");
            }
        }
        return new ItemScore[][] {b, v};
    }

    private static ItemScore[] sortedByItem(List<ItemScore> scores, String side) {
        ItemScore[] sorted = scores.toArray(new ItemScore[0]);
        Arrays.sort(sorted, Comparator.comparingInt(ItemScore::item));
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i].item() == sorted[i - 1].item()) {
                throw new IllegalArgumentException(side + " scores item " + sorted[i].item() + " twice");
            }
        }
        return sorted;
    }
}
