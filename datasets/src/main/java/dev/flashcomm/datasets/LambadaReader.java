package dev.flashcomm.datasets;

import java.util.List;

/** LAMBADA: predict the last word; one request, gold 0, scored for greedy match and target perplexity. */
final class LambadaReader {
    private LambadaReader() {
    }

    static TaskItem parse(JsonDoc doc, int index) {
        String context;
        String word;
        if (doc.has("context")) {
            context = doc.string("context");
            word = doc.string("continuation");
        } else if (doc.has("text")) {
            // lm-eval: context = " ".join(text.split(" ")[:-1]), target = " " + text.split(" ")[-1]
            String text = doc.string("text");
            int space = text.lastIndexOf(' ');
            if (space < 0) {
                throw doc.error("field \"text\" has no space before its last word");
            }
            context = text.substring(0, space);
            word = text.substring(space + 1);
        } else {
            throw doc.unknownLayout("{context, continuation} or {text}");
        }
        if (PyText.isBlank(word)) {
            // nothing to predict: scoring it would count a free (or impossible) item in the accuracy
            throw doc.error("the target word is empty");
        }
        return new TaskItem(index, List.of(Choice.of(context, word)), 0);
    }
}
