package dev.flashcomm.results;

import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * One row of the tidy results CSV: a model × tp × comm × task × metric cell, optionally compared with the baseline
 * comm format of the same model and tp. Components follow {@link Column}. Optional numbers are {@link OptionalDouble}
 * (an empty CSV cell); a missing standard error is {@code NaN}, also written as an empty cell.
 *
 * @param commPath        how the communication was carried out: {@code fake}, {@code packed} or {@code ring}
 * @param task            a task name ({@code piqa}) or a perplexity dataset ({@code ppl:wikitext2})
 * @param value           accuracies are fractions in [0, 1], perplexities are plain perplexities
 * @param n               items, or scored tokens for perplexity
 * @param delta           value − baseline; present exactly when {@code baseline} is
 * @param relDelta        delta / baseline; empty when the baseline is absent or zero
 * @param test            {@link Significance#MCNEMAR}, {@link Significance#PAIRED_BOOTSTRAP} or "" when no p-value
 * @param bytesPerForward communicated bytes per rank per forward pass
 * @param protocol        how the number was obtained, e.g. {@code gptq-ppl seq_len=256} or {@code lm-eval 0-shot}
 * @param settings        free-form {@code k=v;k=v}
 */
public record ResultRow(
        String model, int tp, String comm, String commPath, String task, String metric,
        double value, double stderr, long n,
        OptionalDouble baseline, OptionalDouble delta, OptionalDouble relDelta, OptionalDouble pValue, String test,
        long bytesPerForward, double wallSeconds, String protocol, int taskVersion, String settings,
        String toolVersion) {

    public static final Set<String> COMM_PATHS = Set.of("fake", "packed", "ring");

    private static final Set<String> TESTS = Set.of("", Significance.MCNEMAR, Significance.PAIRED_BOOTSTRAP);

    public ResultRow {
        new CellKey(model, tp, comm, task, metric); // validates the shared identity fields
        if (!COMM_PATHS.contains(commPath)) {
            throw new IllegalArgumentException("comm path must be one of fake, packed, ring; got '" + commPath + "'");
        }
        if (!(Double.isNaN(stderr) || stderr >= 0)) {
            throw new IllegalArgumentException("stderr must be >= 0 or NaN, got " + stderr);
        }
        if (n < 0 || bytesPerForward < 0 || taskVersion < 0) {
            throw new IllegalArgumentException("n, bytes per forward and task version must be >= 0");
        }
        if (!(wallSeconds >= 0) || Double.isInfinite(wallSeconds)) {
            throw new IllegalArgumentException("wall seconds must be finite and >= 0, got " + wallSeconds);
        }
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(delta, "delta");
        Objects.requireNonNull(relDelta, "relDelta");
        Objects.requireNonNull(pValue, "pValue");
        Objects.requireNonNull(test, "test");
        if (baseline.isPresent() != delta.isPresent() || (relDelta.isPresent() && baseline.isEmpty())) {
            throw new IllegalArgumentException("delta and relative delta need a baseline, and a baseline needs a delta");
        }
        if (!TESTS.contains(test)) {
            throw new IllegalArgumentException("test must be mcnemar, paired-bootstrap or empty, got '" + test + "'");
        }
        if (pValue.isPresent() == test.isEmpty()) {
            throw new IllegalArgumentException("a p-value needs the name of its test and vice versa");
        }
        if (pValue.isPresent() && !(pValue.getAsDouble() >= 0 && pValue.getAsDouble() <= 1)) {
            throw new IllegalArgumentException("p-value must be in [0, 1], got " + pValue.getAsDouble());
        }
        Checks.requireName("protocol", protocol);
        Objects.requireNonNull(settings, "settings");
        Checks.requireName("tool version", toolVersion);
    }

    /** A freshly measured row, not yet compared with any baseline. */
    public static ResultRow measured(String model, int tp, String comm, String commPath, String task, String metric,
                                     double value, double stderr, long n, long bytesPerForward, double wallSeconds,
                                     String protocol, int taskVersion, String settings, String toolVersion) {
        OptionalDouble none = OptionalDouble.empty();
        return new ResultRow(model, tp, comm, commPath, task, metric, value, stderr, n, none, none, none, none, "",
                bytesPerForward, wallSeconds, protocol, taskVersion, settings, toolVersion);
    }

    /**
     * This row compared with {@code baselineValue}: fills BASELINE, DELTA and REL_DELTA (empty when the baseline is
     * zero, where a ratio means nothing), and the p-value of {@code test} if one was run.
     */
    public ResultRow withComparison(double baselineValue, OptionalDouble p, String testName) {
        double d = value - baselineValue;
        OptionalDouble rel = baselineValue == 0 ? OptionalDouble.empty() : OptionalDouble.of(d / baselineValue);
        return new ResultRow(model, tp, comm, commPath, task, metric, value, stderr, n,
                OptionalDouble.of(baselineValue), OptionalDouble.of(d), rel, p, testName,
                bytesPerForward, wallSeconds, protocol, taskVersion, settings, toolVersion);
    }

    /** This row with BASELINE, DELTA, REL_DELTA, P_VALUE and TEST cleared. */
    public ResultRow withoutComparison() {
        return measured(model, tp, comm, commPath, task, metric, value, stderr, n, bytesPerForward, wallSeconds,
                protocol, taskVersion, settings, toolVersion);
    }

    public CellKey cell() {
        return new CellKey(model, tp, comm, task, metric);
    }

    public boolean isBaseline(String baselineComm) {
        return comm.equals(baselineComm);
    }

    public MetricKind metricKind() {
        return MetricKind.of(metric);
    }

    /** The cell and, since one comm format may run over several paths, the path: as in user messages. */
    String label() {
        return cell() + " (" + commPath + ")";
    }
}
