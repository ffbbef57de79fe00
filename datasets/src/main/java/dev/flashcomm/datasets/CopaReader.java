package dev.flashcomm.datasets;

import java.util.List;
import java.util.Locale;

/** COPA: the premise turned into "… because" / "… therefore", with lower-cased choices (lm-eval's utils.py). */
final class CopaReader {
    private CopaReader() {
    }

    static TaskItem parse(JsonDoc doc, int index) {
        if (doc.has("query")) {
            return JsonlReader.queryChoicesGold(doc, index, "");
        }
        if (!doc.has("premise")) {
            throw doc.unknownLayout("{query, choices, gold} or {premise, choice1, choice2, question, label}");
        }
        String connector = switch (doc.string("question")) {
            case "cause" -> "because";
            case "effect" -> "therefore";
            default -> throw doc.error("field \"question\" must be \"cause\" or \"effect\", got \""
                    + doc.string("question") + "\"");
        };
        String premise = PyText.strip(doc.string("premise"));
        String context = dropLast(premise) + " " + connector;
        List<String> texts = List.of(lowerFirst(doc.string("choice1")), lowerFirst(doc.string("choice2")));
        return new TaskItem(index, JsonlReader.choices(context, texts), doc.gold("label", 2));
    }

    /** Python's {@code s[:-1]}: drops the final period, one code point. */
    private static String dropLast(String s) {
        return s.isEmpty() ? s : s.substring(0, s.offsetByCodePoints(s.length(), -1));
    }

    /** Python's {@code s[0].lower() + s[1:]}. */
    private static String lowerFirst(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int n = Character.charCount(s.codePointAt(0));
        return s.substring(0, n).toLowerCase(Locale.ROOT) + s.substring(n);
    }
}
