package dev.flashcomm.results.report;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * File names of one report's figures, one per figure. Names are slugs of titles, and different titles can share a
 * slug ({@code ppl:wiki} and {@code ppl-wiki}, {@code PIQA} and {@code piqa}, two diagnostics files of one name in
 * different directories): a later figure gets {@code -2}, {@code -3}, ... instead of being written over an earlier
 * one.
 */
final class FigureNames {

    /** Lower-cased: the names must also differ on a file system that ignores case. */
    private final Set<String> used = new HashSet<>();

    /** {@code slug}, or the first of {@code slug-2}, {@code slug-3}, ... that no earlier figure has. */
    String unique(String slug) {
        String name = slug;
        for (int n = 2; !used.add(name.toLowerCase(Locale.ROOT)); n++) {
            name = slug + "-" + n;
        }
        return name;
    }
}
