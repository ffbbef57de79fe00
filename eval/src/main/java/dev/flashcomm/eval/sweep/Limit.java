package dev.flashcomm.eval.sweep;

import java.math.BigDecimal;

/**
 * {@code --limit} / {@code --max-windows} as lm-evaluation-harness reads {@code --limit}: 0 for everything, a whole
 * number N for the first N, a fraction below 1 for that share of the items, rounded up ({@code ceil(n * f)}), so
 * {@code 0.1} of 25 items is 3. Always the first ones, never a random sample, so reruns measure the same items.
 *
 * @param value 0, a whole number >= 1, or a fraction in (0, 1)
 */
public record Limit(double value) {

    public static final Limit ALL = new Limit(0);

    public Limit {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("must be 0 (all), a whole number N or a fraction below 1, got "
                    + value);
        }
        if (value >= 1 && value != Math.rint(value)) {
            throw new IllegalArgumentException("must be a whole number when it is 1 or more, got " + value);
        }
        if (value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("is too large: " + value);
        }
    }

    /** A count; 0 for all. */
    public static Limit count(int n) {
        return new Limit(n);
    }

    /**
     * @param option the option's name for the message, e.g. {@code --limit}
     * @throws IllegalArgumentException naming {@code option} and the text
     */
    public static Limit parse(String option, String text) {
        try {
            return new Limit(Double.parseDouble(text.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be 0 (all), a whole number N or a fraction below 1 "
                    + "such as 0.1, got '" + text + "'");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " " + e.getMessage());
        }
    }

    public boolean all() {
        return value == 0;
    }

    public boolean fraction() {
        return value > 0 && value < 1;
    }

    /** How many of {@code total} items this limit keeps (at least one when there is one). */
    public int of(int total) {
        if (all()) {
            return total;
        }
        if (fraction()) {
            // BigDecimal: 0.1 * 30 is 3.0000000000000004 in doubles, and ceil would make it 4
            return Math.min(total, new BigDecimal(Double.toString(value)).multiply(BigDecimal.valueOf(total))
                    .setScale(0, java.math.RoundingMode.CEILING).intValueExact());
        }
        return Math.min(total, (int) value);
    }

    /** As the option takes it: {@code 0}, {@code 25} or {@code 0.1}. */
    @Override
    public String toString() {
        return fraction() ? BigDecimal.valueOf(value).stripTrailingZeros().toPlainString()
                : Long.toString((long) value);
    }
}
