package dev.flashcomm.datasets;

import java.util.List;
import java.util.Locale;

/**
 * COPA as lm-eval's {@code super_glue/copa/utils.py} builds it: context {@code premise.strip()[:-1] + " because"} (or
 * {@code " therefore"}), choices {@code " " + convert_choice(choice)} where {@code convert_choice} lower-cases the
 * first character.
 *
 * <p>lm-eval then prepends its default {@code target_delimiter " "} to that choice, so the scored continuation starts
 * with TWO spaces ({@code "  the toilet filled with water."}); its logged {@code arguments} show it. We keep that
 * quirk because the double space tokenizes differently and flips a few predictions on small models.
 */
final class CopaReader {
    /** lm-eval's {@code doc_to_choice} adds this space and the target delimiter adds another. */
    private static final String CHOICE_PREFIX = " ";

    private CopaReader() {
    }

    static TaskItem parse(JsonDoc doc, int index) {
        if (doc.has("query")) {
            return sharedExport(doc, index);
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
        String context = dropLast(PyText.strip(doc.string("premise"))) + " " + connector;
        List<String> texts = List.of(lowerFirst(doc.string("choice1")), lowerFirst(doc.string("choice2")));
        return new TaskItem(index, choices(context, texts), doc.gold("label", 2));
    }

    /**
     * The shared export's queries already read {@code "…faucet, therefore"} (with a comma lm-eval does not write) and
     * its choices are already lower-cased; we score them with lm-eval's continuation all the same, so that only the
     * comma separates its numbers from lm-eval's.
     */
    private static TaskItem sharedExport(JsonDoc doc, int index) {
        List<String> texts = doc.strings("choices");
        if (texts.isEmpty()) {
            throw doc.error("field \"choices\" is empty");
        }
        return new TaskItem(index, choices(doc.string("query"), texts), doc.gold("gold", texts.size()));
    }

    /** {@code Choice.of} adds the target delimiter; acc_norm would divide by {@code len(" " + text)}, as lm-eval. */
    private static List<Choice> choices(String context, List<String> texts) {
        return texts.stream().map(t -> Choice.of(context, CHOICE_PREFIX + t)).toList();
    }

    /** Python's {@code s[:-1]}: drops the final period, one code point. */
    private static String dropLast(String s) {
        return s.isEmpty() ? s : s.substring(0, s.offsetByCodePoints(s.length(), -1));
    }

    /** lm-eval's {@code convert_choice}: {@code s[0].lower() + s[1:]} ("I swept…" becomes "i swept…" too). */
    private static String lowerFirst(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int n = Character.charCount(s.codePointAt(0));
        return s.substring(0, n).toLowerCase(Locale.ROOT) + s.substring(n);
    }
}
