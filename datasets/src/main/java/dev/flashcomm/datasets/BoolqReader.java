package dev.flashcomm.datasets;

import java.util.List;

/**
 * BoolQ: lm-eval's {@code "{passage}\nQuestion: {question}?\nAnswer:"} with choices " no" and " yes".
 *
 * <p>Only SuperGLUE's release ({@code {question, passage, idx, label}}, what lm-eval's {@code aps/super_glue} loads)
 * gives lm-eval's prompts: its passages start with the Wikipedia title ({@code "Ethanol fuel -- All biomass…"}).
 * Google's original release keeps the title in a separate field and the shared export drops it and adds
 * {@code "Passage: "}; both are read as they are, so their numbers are close to lm-eval's but not the same.
 */
final class BoolqReader {
    private static final List<String> NO_YES = List.of("no", "yes");

    private BoolqReader() {
    }

    static TaskItem parse(JsonDoc doc, int index) {
        if (doc.has("query")) {
            return JsonlReader.queryChoicesGold(doc, index, "\nAnswer:");
        }
        if (!doc.has("passage")) {
            throw doc.unknownLayout("{query, choices, gold}, {question, passage, label}"
                    + " or {question, passage, answer}");
        }
        String context = doc.string("passage") + "\nQuestion: " + doc.string("question") + "?\nAnswer:";
        // The original release has a boolean "answer"; SuperGLUE's export has "label" 0/1.
        int gold = doc.has("answer") ? (doc.bool("answer") ? 1 : 0) : doc.gold("label", 2);
        return new TaskItem(index, JsonlReader.choices(context, NO_YES), gold);
    }
}
