package dev.flashcomm.datasets;

import java.util.List;

/**
 * Winogrande with lm-eval's partial evaluation: each option fills the blank in its own context, and the same rest
 * of the sentence is scored under each, so the choices differ in context, not in continuation.
 */
final class WinograndeReader {
    private WinograndeReader() {
    }

    static TaskItem parse(JsonDoc doc, int index) {
        if (doc.has("context_options")) {
            List<String> contexts = doc.strings("context_options");
            if (contexts.size() < 2) {
                throw doc.error("field \"context_options\" needs at least 2 options, got " + contexts.size());
            }
            return item(index, contexts, doc.string("continuation"), doc.gold("gold", contexts.size()));
        }
        if (!doc.has("sentence")) {
            throw doc.unknownLayout("{context_options, continuation, gold} or {sentence, option1, option2, answer}");
        }
        String sentence = doc.string("sentence");
        int blank = sentence.indexOf('_');
        if (blank < 0) {
            throw doc.error("field \"sentence\" has no \"_\" blank");
        }
        String before = sentence.substring(0, blank);
        List<String> contexts = List.of(before + doc.string("option1"), before + doc.string("option2"));
        String target = PyText.strip(sentence.substring(blank + 1));
        int answer = doc.integer("answer");
        if (answer != 1 && answer != 2) {
            throw doc.error("field \"answer\" must be 1 or 2, got " + answer);
        }
        return item(index, contexts, target, answer - 1);
    }

    private static TaskItem item(int index, List<String> contexts, String target, int gold) {
        return new TaskItem(index, contexts.stream().map(c -> Choice.of(c, target)).toList(), gold);
    }
}
