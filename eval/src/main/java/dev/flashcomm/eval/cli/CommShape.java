package dev.flashcomm.eval.cli;

import dev.flashcomm.eval.InputException;
import java.util.Locale;

/**
 * {@code bench --comm-shape TxH}: the rows and columns of each rank's partial. Checked here, where the option is
 * named, since the benchmarks below it answer a zero with an {@link IllegalArgumentException} and a product beyond
 * an array's length with "integer overflow".
 */
record CommShape(int rows, int cols) {

    /** The longest Java array the JVMs in use allocate. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    static CommShape parse(String text) {
        String[] parts = text.toLowerCase(Locale.ROOT).split("x", -1);
        long rows;
        long cols;
        try {
            if (parts.length != 2) {
                throw new NumberFormatException();
            }
            rows = Long.parseLong(parts[0].strip());
            cols = Long.parseLong(parts[1].strip());
        } catch (NumberFormatException e) {
            throw new InputException("--comm-shape: expected TxH like 2048x4096, got '" + text + "'");
        }
        if (rows < 1 || cols < 1) {
            throw new InputException("--comm-shape " + rows + "x" + cols + ": T and H must be at least 1");
        }
        if (rows > MAX_ELEMENTS / cols) {
            throw new InputException("--comm-shape " + rows + "x" + cols + ": more elements per rank than one array "
                    + "holds (" + MAX_ELEMENTS + "); use a smaller shape");
        }
        return new CommShape((int) rows, (int) cols);
    }
}
