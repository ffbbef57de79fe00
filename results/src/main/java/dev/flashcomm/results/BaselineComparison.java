package dev.flashcomm.results;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Compares every row with the baseline comm format (normally {@code fp16}) of the same model, tp, task and metric,
 * and tests the difference on the paired per-item scores: McNemar for accuracies, a paired bootstrap for
 * perplexity-like metrics, nothing for other metrics. When per-item scores are missing for either side the row gets
 * its deltas but no p-value (TEST is empty).
 */
public final class BaselineComparison {

    public static final String DEFAULT_BASELINE_COMM = "fp16";
    static final int BOOTSTRAP_RESAMPLES = 2000;
    /** The default seed: fixed so that rerunning the comparison on the same scores reproduces the same CSV. */
    public static final long DEFAULT_SEED = 0x5EED_F1A5L;

    private BaselineComparison() {
    }

    /**
     * @param items per-item scores by cell (may lack cells, see the class comment)
     * @return the rows in input order with BASELINE, DELTA, REL_DELTA, P_VALUE and TEST filled; baseline rows are
     *         compared with themselves (delta 0, no test)
     * @throws ResultsException when a row has no baseline row, when rows repeat a cell, when a row and its baseline
     *         were measured with different {@link PlanSettings}, or when the item scores of a cell and its baseline do
     *         not pair up
     */
    public static List<ResultRow> compare(List<ResultRow> rows, Map<CellKey, List<ItemScore>> items,
                                          String baselineComm) {
        return compare(rows, items, baselineComm, DEFAULT_SEED);
    }

    /**
     * As {@link #compare(List, Map, String)}, with the seed of the paired bootstrap ({@code --seed}).
     */
    public static List<ResultRow> compare(List<ResultRow> rows, Map<CellKey, List<ItemScore>> items,
                                          String baselineComm, long seed) {
        RowIndex index = new RowIndex(rows, "results");
        List<ResultRow> compared = new ArrayList<>(rows.size());
        for (ResultRow row : rows) {
            if (row.isBaseline(baselineComm)) {
                compared.add(row.withComparison(row.value(), OptionalDouble.empty(), ""));
                continue;
            }
            CellKey baselineCell = row.cell().withComm(baselineComm);
            ResultRow base = index.find(baselineCell, row.commPath()).orElseThrow(() -> new ResultsException(
                    "no " + baselineComm + " baseline row for " + row.cell() + " (expected " + baselineCell + ")"));
            // a cell and a baseline measured otherwise (another --limit or --seq-len) would compare the settings
            PlanSettings.of(row).differenceFrom(PlanSettings.of(base)).ifPresent(d -> {
                throw new ResultsException(row.label() + " was measured with " + d.mineText() + ", its "
                        + baselineComm + " baseline with " + d.theirsText() + "; compare rows of one setting");
            });
            List<ItemScore> variantItems = items.get(row.cell());
            List<ItemScore> baseItems = items.get(baselineCell);
            String test = testFor(row.metricKind());
            if (test.isEmpty() || variantItems == null || baseItems == null) {
                compared.add(row.withComparison(base.value(), OptionalDouble.empty(), ""));
            } else {
                double p = pValue(test, baseItems, variantItems, baselineCell, row.cell(), seed);
                compared.add(row.withComparison(base.value(), OptionalDouble.of(p), test));
            }
        }
        return List.copyOf(compared);
    }

    private static String testFor(MetricKind kind) {
        return switch (kind) {
            case ACCURACY -> Significance.MCNEMAR;
            case LOWER_IS_BETTER -> Significance.PAIRED_BOOTSTRAP;
            case HIGHER_IS_BETTER, OTHER -> "";
        };
    }

    private static double pValue(String test, List<ItemScore> base, List<ItemScore> variant, CellKey baseCell,
                                 CellKey cell, long seed) {
        try {
            if (test.equals(Significance.PAIRED_BOOTSTRAP)) {
                return Significance.pairedBootstrapPpl(base, variant, BOOTSTRAP_RESAMPLES, seed);
            }
            ItemScore[][] pairs = Significance.pair(base, variant);
            return Significance.mcnemarExact(correct(pairs[0], baseCell), correct(pairs[1], cell));
        } catch (IllegalArgumentException e) {
            throw new ResultsException("per-item scores of " + cell + " do not pair with its baseline: "
                    + e.getMessage(), e);
        }
    }

    private static boolean[] correct(ItemScore[] scores, CellKey cell) {
        boolean[] correct = new boolean[scores.length];
        for (int i = 0; i < scores.length; i++) {
            double v = scores[i].value();
            if (v != 0.0 && v != 1.0) {
                throw new ResultsException("per-item scores of " + cell + ": item " + scores[i].item()
                        + " has value " + v + ", expected 1 (correct) or 0");
            }
            correct[i] = v == 1.0;
        }
        return correct;
    }
}
