package dev.flashcomm.results;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bounds of the CI gate.
 *
 * @param maxPplIncreaseRel allowed relative perplexity increase, as a fraction ({@code 0.005} for 0.5%)
 * @param maxAccDropPoints  allowed accuracy drop in percentage points ({@code 1.0} for 61.2% → 60.2%)
 */
public record GateThresholds(double maxPplIncreaseRel, double maxAccDropPoints) {

    private static final String NUMBER = "(\\d+(?:\\.\\d*)?|\\.\\d+)";
    private static final Pattern PERCENT = Pattern.compile(NUMBER + "\\s*%");
    private static final Pattern POINTS = Pattern.compile(NUMBER + "\\s*(?:pt)?");

    public GateThresholds {
        if (!(maxPplIncreaseRel >= 0) || Double.isInfinite(maxPplIncreaseRel)) {
            throw new IllegalArgumentException("max perplexity increase must be finite and >= 0, got "
                    + maxPplIncreaseRel);
        }
        if (!(maxAccDropPoints >= 0) || Double.isInfinite(maxAccDropPoints)) {
            throw new IllegalArgumentException("max accuracy drop must be finite and >= 0, got " + maxAccDropPoints);
        }
    }

    /**
     * Parses the command-line forms. Only unambiguous spellings are accepted: the perplexity bound must carry a
     * percent sign ({@code "0.5%"}), since a bare {@code 0.5} could mean 0.5 or 50%; the accuracy bound is in
     * percentage points, bare or with {@code pt} ({@code "1.0"}, {@code "1.0pt"}), since accuracies are fractions
     * and "1%" could be read as relative.
     *
     * @throws IllegalArgumentException with a message naming the expected form
     */
    public static GateThresholds parse(String pplIncrease, String accDrop) {
        Matcher ppl = PERCENT.matcher(pplIncrease == null ? "" : pplIncrease.strip());
        if (!ppl.matches()) {
            throw new IllegalArgumentException(
                    "max perplexity increase must be a percentage such as 0.5%, got '" + pplIncrease + "'");
        }
        Matcher acc = POINTS.matcher(accDrop == null ? "" : accDrop.strip());
        if (!acc.matches()) {
            throw new IllegalArgumentException("max accuracy drop must be in accuracy points such as 1.0 or 1.0pt, got '"
                    + accDrop + "'");
        }
        return new GateThresholds(Double.parseDouble(ppl.group(1)) / 100, Double.parseDouble(acc.group(1)));
    }
}
