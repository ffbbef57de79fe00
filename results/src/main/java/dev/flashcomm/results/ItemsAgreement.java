package dev.flashcomm.results;

import java.util.List;
import java.util.Map;

/**
 * Per-item scores must be the ones behind the results rows they are paired with. An items file of another run
 * (another {@code --limit}, another checkpoint) would give the rows p-values of a different experiment; its scores
 * add up to another N or another value, which is what this checks: the items' total weight is the row's N (items,
 * or scored tokens of a corpus), and the value they aggregate to is the row's VALUE.
 */
public final class ItemsAgreement {

    /** As {@link ResultsMerge}: the same scores summed in another order move the last bits only. */
    private static final double TOLERANCE = 1e-6;

    private ItemsAgreement() {
    }

    /**
     * Checks every cell of {@code items} that {@code rows} hold; cells without a row are not paired with anything.
     *
     * @param source names the items in the error, e.g. {@code --items FILE}
     * @throws ResultsException naming the source, the cell and what differs
     */
    public static void requireMatches(List<ResultRow> rows, Map<CellKey, List<ItemScore>> items, String source) {
        RowIndex index = new RowIndex(rows, "results");
        for (Map.Entry<CellKey, List<ItemScore>> e : items.entrySet()) {
            ResultRow row = index.find(e.getKey(), "fake").orElse(null);
            if (row == null) {
                continue;
            }
            long weight = 0;
            double sum = 0;
            double weighted = 0;
            for (ItemScore s : e.getValue()) {
                weight += s.weight();
                sum += s.value();
                weighted += s.value() * s.weight();
            }
            if (weight != row.n()) {
                throw mismatch(source, e.getKey(), "they weigh " + weight + ", the row's N is " + row.n());
            }
            double aggregate = aggregate(row, weight, sum, weighted);
            if (!Double.isNaN(aggregate) && !agree(aggregate, row.value())) {
                throw mismatch(source, e.getKey(), "they make " + row.metric() + " " + aggregate + ", the row's VALUE "
                        + "is " + row.value());
            }
        }
    }

    /** What the scores aggregate to, as the row's value was computed; NaN where that is not a plain aggregate. */
    private static double aggregate(ResultRow row, long weight, double sum, double weighted) {
        if (weight == 0) {
            return Double.NaN;
        }
        if (row.metric().equals("perplexity")) {
            return Math.exp(sum / weight); // summed NLL of windows (or items) over their tokens (or count)
        }
        if (row.metric().equals("acc_subject_mean")) {
            return Double.NaN; // a mean over subjects, while the items are the pooled questions
        }
        return switch (row.metricKind()) {
            case ACCURACY, HIGHER_IS_BETTER -> weighted / weight;
            default -> Double.NaN;
        };
    }

    private static boolean agree(double a, double b) {
        return Math.abs(a - b) <= TOLERANCE * Math.max(Math.abs(a), Math.abs(b)) + 1e-12;
    }

    private static ResultsException mismatch(String source, CellKey cell, String what) {
        return new ResultsException(source + ": the per-item scores of " + cell + " are not those of its results row ("
                + what + "): an items file of another run?");
    }
}
