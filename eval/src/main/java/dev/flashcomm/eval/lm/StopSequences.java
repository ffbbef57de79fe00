package dev.flashcomm.eval.lm;

import java.util.List;

/** Where a text is cut by lm-eval's {@code until}: {@code s.split(term)[0]} for every term in turn. */
final class StopSequences {

    private StopSequences() {
    }

    /** The index of the earliest occurrence of any of {@code stops} in {@code text}, or -1 when none occurs. */
    static int firstMatch(String text, List<String> stops) {
        int first = -1;
        for (String s : stops) {
            int i = text.indexOf(s);
            if (i >= 0 && (first < 0 || i < first)) {
                first = i;
            }
        }
        return first;
    }
}
