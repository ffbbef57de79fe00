package dev.flashcomm.results;

import java.util.List;
import java.util.function.IntPredicate;

/** Plain-text tables for the console: columns padded to their widest cell, two spaces apart. */
final class TextTable {

    private static final String GAP = "  ";

    private TextTable() {
    }

    /**
     * The rows (the first one the header, all of one width) as lines, each ending in a newline without trailing
     * blanks; columns for which {@code leftAligned} holds are padded on the right, the others (numbers) on the left.
     */
    static String layout(List<String[]> table, IntPredicate leftAligned) {
        int width = table.get(0).length;
        int[] widths = new int[width];
        for (String[] line : table) {
            for (int i = 0; i < width; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] line : table) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < width; i++) {
                if (i > 0) {
                    text.append(GAP);
                }
                String pad = " ".repeat(widths[i] - line[i].length());
                text.append(leftAligned.test(i) ? line[i] + pad : pad + line[i]);
            }
            out.append(text.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
