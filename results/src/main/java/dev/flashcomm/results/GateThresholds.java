package dev.flashcomm.results;

import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bounds of the CI gate and how strictly they are judged. Every bound is optional, but at least one must be given.
 *
 * @param maxPplIncreaseRel   allowed relative perplexity increase, as a fraction ({@code 0.005} for 0.5%)
 * @param maxAccDropPoints    allowed accuracy drop in percentage points ({@code 1.0} for 61.2% → 60.2%)
 * @param minRecovery         least allowed recovery, as a fraction ({@code 0.99}): quantized / baseline for
 *                            accuracies, baseline / quantized for perplexity, so that higher is better for both
 * @param confidence          when present, a cell is judged by a one-sided bound at this level instead of its point
 *                            value: the Wilson lower bound of an accuracy, value + z·stderr of a perplexity
 * @param requireSignificance when present, a cell out of bounds fails only if its paired test against the baseline
 *                            (P_VALUE) is below this; otherwise it passes as within noise
 */
public record GateThresholds(OptionalDouble maxPplIncreaseRel, OptionalDouble maxAccDropPoints,
                             OptionalDouble minRecovery, OptionalDouble confidence,
                             OptionalDouble requireSignificance) {

    private static final String NUMBER = "(\\d+(?:\\.\\d*)?|\\.\\d+)";
    private static final Pattern PERCENT = Pattern.compile(NUMBER + "\\s*%");
    private static final Pattern POINTS = Pattern.compile(NUMBER + "\\s*(?:pt)?");
    private static final Pattern FRACTION_OR_PERCENT = Pattern.compile(NUMBER + "\\s*(%?)");

    public GateThresholds {
        requireFiniteNonNegative("max perplexity increase", maxPplIncreaseRel);
        requireFiniteNonNegative("max accuracy drop", maxAccDropPoints);
        if (minRecovery.isPresent() && !(minRecovery.getAsDouble() > 0 && minRecovery.getAsDouble() <= 1)) {
            throw new IllegalArgumentException("min recovery must be in (0, 1] (e.g. 0.99 or 99%), got "
                    + minRecovery.getAsDouble());
        }
        if (confidence.isPresent() && !(confidence.getAsDouble() > 0.5 && confidence.getAsDouble() < 1)) {
            throw new IllegalArgumentException("confidence must be in (0.5, 1) (e.g. 0.95), got "
                    + confidence.getAsDouble());
        }
        if (requireSignificance.isPresent()
                && !(requireSignificance.getAsDouble() > 0 && requireSignificance.getAsDouble() < 1)) {
            throw new IllegalArgumentException("significance level must be in (0, 1) (e.g. 0.05), got "
                    + requireSignificance.getAsDouble());
        }
        if (maxPplIncreaseRel.isEmpty() && maxAccDropPoints.isEmpty() && minRecovery.isEmpty()) {
            throw new IllegalArgumentException(
                    "give at least one bound: --max-ppl-increase, --max-acc-drop or --min-recovery");
        }
    }

    /** Absolute bounds only, judged on point values. */
    public GateThresholds(double maxPplIncreaseRel, double maxAccDropPoints) {
        this(OptionalDouble.of(maxPplIncreaseRel), OptionalDouble.of(maxAccDropPoints), OptionalDouble.empty(),
                OptionalDouble.empty(), OptionalDouble.empty());
    }

    private static void requireFiniteNonNegative(String what, OptionalDouble v) {
        if (v.isPresent() && (!(v.getAsDouble() >= 0) || Double.isInfinite(v.getAsDouble()))) {
            throw new IllegalArgumentException(what + " must be finite and >= 0, got " + v.getAsDouble());
        }
    }

    /** {@link #parse(String, String, String, String, String)} with absolute bounds only. */
    public static GateThresholds parse(String pplIncrease, String accDrop) {
        return parse(pplIncrease, accDrop, null, null, null);
    }

    /**
     * Parses the command-line forms; {@code null} is an option not given. Only unambiguous spellings are accepted:
     * the perplexity bound must carry a percent sign ({@code "0.5%"}), since a bare {@code 0.5} could mean 0.5 or
     * 50%; the accuracy bound is in percentage points, bare or with {@code pt} ({@code "1.0"}, {@code "1.0pt"}), since
     * accuracies are fractions and "1%" could be read as relative. A recovery is a fraction or a percentage
     * ({@code 0.99}, {@code 99%}); confidence and significance are fractions ({@code 0.95}, {@code 0.05}).
     *
     * @throws IllegalArgumentException with a message naming the option and the expected form
     */
    public static GateThresholds parse(String pplIncrease, String accDrop, String minRecovery, String confidence,
                                       String requireSignificance) {
        OptionalDouble ppl = OptionalDouble.empty();
        if (pplIncrease != null) {
            Matcher m = PERCENT.matcher(pplIncrease.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException(
                        "--max-ppl-increase must be a percentage such as 0.5%, got '" + pplIncrease + "'");
            }
            ppl = OptionalDouble.of(Double.parseDouble(m.group(1)) / 100);
        }
        OptionalDouble acc = OptionalDouble.empty();
        if (accDrop != null) {
            Matcher m = POINTS.matcher(accDrop.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException(
                        "--max-acc-drop must be in accuracy points such as 1.0 or 1.0pt, got '" + accDrop + "'");
            }
            acc = OptionalDouble.of(Double.parseDouble(m.group(1)));
        }
        OptionalDouble recovery = OptionalDouble.empty();
        if (minRecovery != null) {
            Matcher m = FRACTION_OR_PERCENT.matcher(minRecovery.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException(
                        "--min-recovery must be a fraction such as 0.99 or a percentage such as 99%, got '"
                                + minRecovery + "'");
            }
            recovery = OptionalDouble.of(Double.parseDouble(m.group(1)) / (m.group(2).isEmpty() ? 1 : 100));
        }
        return new GateThresholds(ppl, acc, recovery, fraction("--confidence", confidence),
                fraction("--require-significance", requireSignificance));
    }

    private static OptionalDouble fraction(String option, String text) {
        if (text == null) {
            return OptionalDouble.empty();
        }
        try {
            return OptionalDouble.of(Double.parseDouble(text.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a fraction such as 0.95, got '" + text + "'");
        }
    }

    /** The bounds in words, for the gate's last line, e.g. {@code perplexity +0.5%, accuracy -1.0 pt}. */
    public String describe() {
        java.util.List<String> parts = new java.util.ArrayList<>();
        maxPplIncreaseRel.ifPresent(v -> parts.add("perplexity +" + trim(100 * v) + "%"));
        maxAccDropPoints.ifPresent(v -> parts.add("accuracy -" + trim(v) + " pt"));
        minRecovery.ifPresent(v -> parts.add("recovery >= " + trim(100 * v) + "%"));
        confidence.ifPresent(v -> parts.add("judged at " + trim(100 * v) + "% confidence"));
        requireSignificance.ifPresent(v -> parts.add("failing only when p < " + trim(v)));
        return String.join(", ", parts);
    }

    private static String trim(double v) {
        String s = String.format(java.util.Locale.ROOT, "%.4f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s + "0" : s;
    }
}
