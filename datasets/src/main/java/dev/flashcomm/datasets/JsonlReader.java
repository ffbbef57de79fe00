package dev.flashcomm.datasets;

import java.util.ArrayList;
import java.util.List;

/** Reads a JSONL task file, one item per non-blank line, with a per-line parser that detects the layout. */
final class JsonlReader implements TaskReader {
    /** Turns one JSON line into the item at {@code index} (its position among non-blank lines). */
    @FunctionalInterface
    interface DocParser {
        TaskItem parse(JsonDoc doc, int index);
    }

    private final DocParser parser;

    JsonlReader(DocParser parser) {
        this.parser = parser;
    }

    @Override
    public List<TaskItem> read(SourceLines source, int limit) {
        List<TaskItem> items = new ArrayList<>();
        for (int i = 0; i < source.size() && (limit <= 0 || items.size() < limit); i++) {
            String line = source.line(i);
            if (SourceLines.isBlank(line)) {
                continue;
            }
            items.add(parser.parse(JsonDoc.parse(source.file(), i + 1, line), items.size()));
        }
        return items;
    }

    /** The common lm-eval-export layout {@code {query, choices, gold}}: context {@code query + suffix}. */
    static TaskItem queryChoicesGold(JsonDoc doc, int index, String contextSuffix) {
        String context = doc.string("query") + contextSuffix;
        List<String> texts = doc.strings("choices");
        if (texts.isEmpty()) {
            throw doc.error("field \"choices\" is empty");
        }
        return new TaskItem(index, choices(context, texts), doc.gold("gold", texts.size()));
    }

    /** One {@code " " + text} request per choice text, all under the same context. */
    static List<Choice> choices(String context, List<String> texts) {
        return texts.stream().map(t -> Choice.of(context, t)).toList();
    }
}
