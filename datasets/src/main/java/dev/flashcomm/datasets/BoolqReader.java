package dev.flashcomm.datasets;

import java.util.List;

/** BoolQ: lm-eval's {@code "{passage}\nQuestion: {question}?\nAnswer:"} with choices " no" and " yes". */
final class BoolqReader {
    private static final List<String> NO_YES = List.of("no", "yes");

    private BoolqReader() {
    }

    static TaskItem parse(JsonDoc doc, int index) {
        if (doc.has("query")) {
            return JsonlReader.queryChoicesGold(doc, index, "\nAnswer:");
        }
        if (!doc.has("passage")) {
            throw doc.unknownLayout("{query, choices, gold} or {question, passage, answer}");
        }
        String context = doc.string("passage") + "\nQuestion: " + doc.string("question") + "?\nAnswer:";
        // The original release has a boolean "answer"; SuperGLUE's export has "label" 0/1.
        int gold = doc.has("answer") ? (doc.bool("answer") ? 1 : 0) : doc.gold("label", 2);
        return new TaskItem(index, JsonlReader.choices(context, NO_YES), gold);
    }
}
