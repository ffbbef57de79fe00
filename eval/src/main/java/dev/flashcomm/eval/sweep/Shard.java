package dev.flashcomm.eval.sweep;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which part of a sweep's matrix one job runs ({@code --shard i/n}, 1-based). Cells are dealt round-robin by their
 * position in the matrix, so every shard gets a similar mix of cheap and expensive cells.
 */
public record Shard(int index, int count) {

    /** The whole matrix in one job. */
    public static final Shard ALL = new Shard(1, 1);

    private static final Pattern FORM = Pattern.compile("\\s*(\\d+)\\s*/\\s*(\\d+)\\s*");

    public Shard {
        if (count < 1 || index < 1 || index > count) {
            throw new IllegalArgumentException("shard " + index + "/" + count + " is not possible: use i/n with "
                    + "1 <= i <= n");
        }
    }

    /**
     * Parses {@code i/n}.
     *
     * @throws IllegalArgumentException naming the expected form
     */
    public static Shard parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a shard: use i/n, e.g. 2/8");
        }
        try {
            return new Shard(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a shard: numbers out of range (use i/n)");
        }
    }

    public boolean isAll() {
        return count == 1;
    }

    /** Whether the cell at {@code position} (0-based, in matrix order) belongs to this shard. */
    public boolean owns(int position) {
        return position % count == index - 1;
    }

    /** The infix of this shard's output files, e.g. {@code part-2-of-8}. */
    public String partName() {
        return "part-" + index + "-of-" + count;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
