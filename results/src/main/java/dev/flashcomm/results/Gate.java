package dev.flashcomm.results;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The CI gate: every perplexity-like cell may rise by at most {@link GateThresholds#maxPplIncreaseRel()} relative to
 * its reference, every accuracy cell may drop by at most {@link GateThresholds#maxAccDropPoints()} points, and any
 * other metric is listed as not gated.
 *
 * <p>The reference of a row is, without a baseline file, the baseline-comm row of the same model, tp, task and
 * metric in the results themselves. With a baseline file (e.g. the results of the last release) it is the row of the
 * same model, tp, comm, task and metric in that file, or failing that the baseline-comm row there; a row with neither
 * is listed as not gated, so new cells can be added to a sweep before the baseline file is refreshed. Among rows of
 * several comm paths, the same path is preferred, else {@code fake}.
 */
public final class Gate {

    /** Absorbs binary rounding so that a change exactly at the bound passes (0.62 − 0.61 is 0.0100000000000000089). */
    private static final double TOLERANCE = 1e-9;

    private final GateThresholds thresholds;

    public Gate(GateThresholds thresholds) {
        this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
    }

    /**
     * Reads both files and checks them; errors name the files.
     *
     * @param baselineFileOrNull {@code null} to compare against the baseline comm within {@code resultsFile}
     */
    public GateReport check(Path resultsFile, Path baselineFileOrNull, String baselineComm) {
        List<ResultRow> results = ResultsCsv.read(resultsFile);
        if (baselineFileOrNull == null) {
            return check(results, resultsFile.toString(), null, null, baselineComm);
        }
        return check(results, resultsFile.toString(), ResultsCsv.read(baselineFileOrNull),
                baselineFileOrNull.toString(), baselineComm);
    }

    /**
     * @param baselineOrNull rows of a baseline file, or {@code null} to compare against the baseline comm within
     *                       {@code results}
     * @throws ResultsException when the reference rows are missing (see the class comment) or repeat a cell
     */
    public GateReport check(List<ResultRow> results, List<ResultRow> baselineOrNull, String baselineComm) {
        return check(results, "results", baselineOrNull, "baseline", baselineComm);
    }

    private GateReport check(List<ResultRow> results, String resultsSource, List<ResultRow> baselineRows,
                             String baselineSource, String baselineComm) {
        checkPossible(results, resultsSource);
        if (baselineRows != null) {
            checkPossible(baselineRows, baselineSource);
        }
        RowIndex own = new RowIndex(results, resultsSource);
        RowIndex reference = baselineRows == null ? null : new RowIndex(baselineRows, baselineSource);
        if (reference == null && results.stream().noneMatch(r -> r.isBaseline(baselineComm))) {
            throw new ResultsException("no " + baselineComm + " baseline rows in " + resultsSource);
        }
        CommLabels labels = new CommLabels(results);
        List<String> violations = new ArrayList<>();
        List<String> notGated = new ArrayList<>();
        int checked = 0;
        int unmatched = 0;
        for (ResultRow row : results) {
            String label = labels.cell(row);
            if (row.metricKind() == MetricKind.OTHER) {
                notGated.add(label + ": metric not gated");
                continue;
            }
            Optional<ResultRow> ref;
            if (reference == null) {
                if (row.isBaseline(baselineComm)) {
                    continue; // its own reference
                }
                ref = Optional.of(own.find(row.cell().withComm(baselineComm), row.commPath())
                        .orElseThrow(() -> new ResultsException(
                                resultsSource + ": no " + baselineComm + " baseline row for " + label)));
            } else {
                ref = reference.find(row.cell(), row.commPath())
                        .or(() -> reference.find(row.cell().withComm(baselineComm), row.commPath()));
                if (ref.isEmpty()) {
                    notGated.add(label + ": no counterpart in " + baselineSource);
                    unmatched++;
                    continue;
                }
            }
            checked++;
            judge(row, ref.get().value()).ifPresent(problem -> violations.add(label + ": " + problem));
        }
        if (checked == 0 && unmatched > 0) { // every gated row missed: surely the wrong baseline file
            throw new ResultsException(baselineSource + ": no row matches any cell of " + resultsSource);
        }
        return new GateReport(violations, checked, notGated);
    }

    /**
     * A finite value no measurement can produce (an accuracy outside [0, 1], a perplexity below 1) means the file
     * was edited or written by something else: bad input, not a regression, and never a pass. Non-finite values are
     * what a diverged model produces, and are judged as violations instead.
     */
    private static void checkPossible(List<ResultRow> rows, String source) {
        for (ResultRow row : rows) {
            double v = row.value();
            if (!Double.isFinite(v)) {
                continue;
            }
            double min = switch (row.metric()) {
                case "bits_per_byte" -> 0;
                default -> row.metricKind() == MetricKind.LOWER_IS_BETTER ? 1 : 0;
            };
            boolean possible = switch (row.metricKind()) {
                case ACCURACY -> v >= 0 && v <= 1;
                case LOWER_IS_BETTER -> v >= min;
                case OTHER -> true;
            };
            if (!possible) {
                throw new ResultsException(source + ": " + row.label() + ": VALUE " + v + " is not a possible "
                        + row.metric() + (row.metricKind() == MetricKind.ACCURACY ? " (a fraction from 0 to 1)"
                        : " (at least " + fmt("%.0f", min) + ")"));
            }
        }
    }

    /** The reason {@code row} is out of bounds against {@code base}, if it is. */
    private Optional<String> judge(ResultRow row, double base) {
        double value = row.value();
        if (row.metricKind() == MetricKind.ACCURACY) {
            String change = fmt("%.2f -> %.2f", 100 * base, 100 * value);
            if (!Double.isFinite(value) || !Double.isFinite(base)) {
                return Optional.of(change + " (not a finite accuracy)");
            }
            double drop = (base - value) * 100;
            return drop > thresholds.maxAccDropPoints() + TOLERANCE
                    ? Optional.of(change + fmt(" (%+.2f pt > %.2f pt)", -drop, thresholds.maxAccDropPoints()))
                    : Optional.empty();
        }
        String change = fmt("%.3f -> %.3f", base, value);
        if (!Double.isFinite(value) || !Double.isFinite(base) || base <= 0) {
            return Optional.of(change + " (not a finite positive perplexity)");
        }
        double increase = (value - base) / base;
        return increase > thresholds.maxPplIncreaseRel() + TOLERANCE
                ? Optional.of(change + fmt(" (%+.2f%% > %.2f%%)", 100 * increase,
                        100 * thresholds.maxPplIncreaseRel()))
                : Optional.empty();
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
