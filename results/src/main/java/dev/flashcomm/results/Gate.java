package dev.flashcomm.results;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The CI gate: every perplexity-like cell may rise by at most {@link GateThresholds#maxPplIncreaseRel()} relative to
 * its reference, every accuracy cell may drop by at most {@link GateThresholds#maxAccDropPoints()} points, and both
 * must keep {@link GateThresholds#minRecovery()} (quantized / baseline for accuracies, baseline / quantized for
 * perplexity; a higher-is-better count such as {@code first_divergence} is judged by recovery only); any other
 * metric is listed as not gated. Under {@link GateThresholds#confidence()} a row is judged by
 * its one-sided bound on the pessimistic side (the Wilson lower bound of an accuracy, value + z·stderr of a
 * perplexity), so a noisy small run passes only with margin; under {@link GateThresholds#requireSignificance()} an
 * out-of-bounds row fails only when its paired test (P_VALUE) against that same reference is significant.
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
        List<GateVerdict> verdicts = new ArrayList<>();
        List<String> notGated = new ArrayList<>();
        int unmatched = 0;
        for (ResultRow row : results) {
            String label = labels.cell(row);
            if (row.metricKind() == MetricKind.OTHER) {
                notGated.add(label + ": metric not gated");
                continue;
            }
            Optional<ResultRow> ref;
            boolean ownBaseline = reference == null;
            if (ownBaseline) {
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
            requireSameSettings(row, label, resultsSource, ref.get(), ownBaseline ? resultsSource : baselineSource);
            if (!hasBound(row.metricKind())) {
                notGated.add(label + ": no " + switch (row.metricKind()) {
                    case ACCURACY -> "accuracy";
                    case HIGHER_IS_BETTER -> "--min-recovery";
                    default -> "perplexity";
                } + " bound given");
                continue;
            }
            double base = ref.get().value();
            // P_VALUE tests the row against the baseline it was compared with; it applies only to that reference
            OptionalDouble p = row.pValue().isPresent() && row.baseline().isPresent()
                    && row.baseline().getAsDouble() == base ? row.pValue() : OptionalDouble.empty();
            verdicts.add(judge(row, label, base, p));
        }
        if (verdicts.isEmpty() && unmatched > 0) { // every gated row missed: surely the wrong baseline file
            throw new ResultsException(baselineSource + ": no row matches any cell of " + resultsSource);
        }
        int baselineCells = GateReport.cellCount(results.stream().filter(r -> r.isBaseline(baselineComm)).toList());
        return new GateReport(verdicts, notGated, GateReport.cellCount(results), baselineCells);
    }

    /**
     * A finite value no measurement can produce (an accuracy outside [0, 1], a perplexity below 1) means the file
     * was edited or written by something else: bad input, not a regression, and never a pass. A results file with a
     * non-finite value is refused when it is read ({@link ResultsCsv#read}); rows handed in directly that carry one
     * (a diverged model) are judged as violations.
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
                case HIGHER_IS_BETTER -> v >= 0;
                case OTHER -> true;
            };
            if (!possible) {
                throw new ResultsException(source + ": " + row.label() + ": VALUE " + v + " is not a possible "
                        + row.metric() + (row.metricKind() == MetricKind.ACCURACY ? " (a fraction from 0 to 1)"
                        : " (at least " + fmt("%.0f", min) + ")"));
            }
        }
    }

    /**
     * A row judged against a reference measured with other settings (another {@code --limit}, {@code --seq-len},
     * dtype) would pass or fail on the settings, not the format: bad input, never a verdict.
     */
    private static void requireSameSettings(ResultRow row, String label, String rowSource, ResultRow ref,
                                            String refSource) {
        PlanSettings.of(row).differenceFrom(PlanSettings.of(ref)).ifPresent(d -> {
            throw new ResultsException(rowSource + ": " + label + " was measured with " + d.mineText()
                    + ", its reference in " + refSource + " with " + d.theirsText() + "; gate against a reference "
                    + "measured with the same settings");
        });
    }

    private boolean hasBound(MetricKind kind) {
        // a higher-is-better count has no bound in its own units: only --min-recovery judges it
        boolean own = switch (kind) {
            case ACCURACY -> thresholds.maxAccDropPoints().isPresent();
            case LOWER_IS_BETTER -> thresholds.maxPplIncreaseRel().isPresent();
            default -> false;
        };
        return own || thresholds.minRecovery().isPresent();
    }

    /**
     * Judges {@code row} against {@code base}: the strictest of the limits given (a floor for accuracies, a ceiling
     * for perplexity), compared with the value or, under {@code --confidence}, its one-sided bound on the
     * pessimistic side; an out-of-bounds row whose test against the baseline is not significant at
     * {@code --require-significance} passes as within noise.
     */
    private GateVerdict judge(ResultRow row, String label, double base, OptionalDouble p) {
        double value = row.value();
        boolean accuracy = row.metricKind() == MetricKind.ACCURACY;
        if (!Double.isFinite(value) || !Double.isFinite(base) || (!accuracy && base <= 0)
                || (accuracy && !(value >= 0 && value <= 1))) {
            return new GateVerdict(row, label, base, value, Double.NaN, p, GateVerdict.Outcome.FAIL,
                    accuracy ? "not a finite accuracy" : row.metricKind() == MetricKind.HIGHER_IS_BETTER
                    ? "not a finite value against a positive baseline" : "not a finite positive perplexity");
        }
        double limit;
        String why;
        double bound = value;
        OptionalDouble confidence = thresholds.confidence();
        if (accuracy) {
            limit = Double.NEGATIVE_INFINITY;
            if (thresholds.maxAccDropPoints().isPresent()) {
                limit = base - thresholds.maxAccDropPoints().getAsDouble() / 100;
            }
            if (thresholds.minRecovery().isPresent()) {
                limit = Math.max(limit, thresholds.minRecovery().getAsDouble() * base);
            }
            if (confidence.isPresent() && row.n() > 0) {
                bound = ConfidenceBounds.wilsonLower(value, row.n(), confidence.getAsDouble());
            }
            why = failureReason(row, base, bound);
        } else if (row.metricKind() == MetricKind.HIGHER_IS_BETTER) {
            limit = Double.NEGATIVE_INFINITY;
            if (thresholds.minRecovery().isPresent()) {
                limit = thresholds.minRecovery().getAsDouble() * base;
            }
            if (confidence.isPresent() && !Double.isNaN(row.stderr())) {
                bound = value - ConfidenceBounds.zOneSided(confidence.getAsDouble()) * row.stderr();
            }
            why = failureReason(row, base, bound);
        } else {
            limit = Double.POSITIVE_INFINITY;
            if (thresholds.maxPplIncreaseRel().isPresent()) {
                limit = base * (1 + thresholds.maxPplIncreaseRel().getAsDouble());
            }
            if (thresholds.minRecovery().isPresent()) {
                limit = Math.min(limit, base / thresholds.minRecovery().getAsDouble());
            }
            if (confidence.isPresent()) {
                bound = ConfidenceBounds.normalUpper(value, row.stderr(), confidence.getAsDouble());
            }
            why = failureReason(row, base, bound);
        }
        if (why.isEmpty()) {
            return new GateVerdict(row, label, base, bound, limit, p, GateVerdict.Outcome.PASS, "");
        }
        if (thresholds.requireSignificance().isPresent()) {
            double alpha = thresholds.requireSignificance().getAsDouble();
            if (p.isEmpty()) {
                return new GateVerdict(row, label, base, bound, limit, p, GateVerdict.Outcome.FAIL,
                        why + "; no paired test to excuse it");
            }
            if (p.getAsDouble() >= alpha) {
                return new GateVerdict(row, label, base, bound, limit, p, GateVerdict.Outcome.PASS_NOT_SIGNIFICANT,
                        "out of bounds but not significant: p " + GateReport.pValue(p.getAsDouble()) + " >= " + alpha);
            }
        }
        return new GateVerdict(row, label, base, bound, limit, p, GateVerdict.Outcome.FAIL, why);
    }

    /** Why {@code bound} breaks a bound, in that bound's units, each one broken; empty when none is. */
    private String failureReason(ResultRow row, double base, double bound) {
        boolean accuracy = row.metricKind() == MetricKind.ACCURACY;
        boolean higher = row.metricKind() == MetricKind.HIGHER_IS_BETTER;
        String judged = thresholds.confidence().isPresent()
                ? fmt(" at %s%% confidence", trim(100 * thresholds.confidence().getAsDouble())) : "";
        List<String> reasons = new ArrayList<>();
        OptionalDouble recoveryBound = thresholds.minRecovery();
        if (higher) {
            double recovery = bound / base;
            if (recoveryBound.isPresent() && recovery < recoveryBound.getAsDouble() - TOLERANCE) {
                reasons.add(fmt("recovery %.2f%% < %.2f%%", 100 * recovery, 100 * recoveryBound.getAsDouble())
                        + judged);
            }
        } else if (accuracy) {
            double drop = (base - bound) * 100;
            OptionalDouble maxDrop = thresholds.maxAccDropPoints();
            if (maxDrop.isPresent() && drop > maxDrop.getAsDouble() + TOLERANCE) {
                reasons.add(fmt("%+.2f pt > %.2f pt", -drop, maxDrop.getAsDouble()) + judged);
            }
            double recovery = bound / base;
            if (recoveryBound.isPresent() && recovery < recoveryBound.getAsDouble() - TOLERANCE) {
                reasons.add(fmt("recovery %.2f%% < %.2f%%", 100 * recovery, 100 * recoveryBound.getAsDouble())
                        + judged);
            }
        } else {
            double increase = (bound - base) / base;
            OptionalDouble maxIncrease = thresholds.maxPplIncreaseRel();
            if (maxIncrease.isPresent() && increase > maxIncrease.getAsDouble() + TOLERANCE) {
                reasons.add(fmt("%+.2f%% > %.2f%%", 100 * increase, 100 * maxIncrease.getAsDouble()) + judged);
            }
            double recovery = base / bound;
            if (recoveryBound.isPresent() && recovery < recoveryBound.getAsDouble() - TOLERANCE) {
                reasons.add(fmt("recovery %.2f%% < %.2f%%", 100 * recovery, 100 * recoveryBound.getAsDouble())
                        + judged);
            }
        }
        return String.join("; ", reasons);
    }

    private static String trim(double v) {
        String s = fmt("%.2f", v).replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
