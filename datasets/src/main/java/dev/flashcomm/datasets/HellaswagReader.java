package dev.flashcomm.datasets;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * HellaSwag in llama.cpp's text format (6 lines per item: context, gold index, 4 endings, already cleaned) or in
 * the original JSONL release, cleaned here exactly as lm-eval's {@code hellaswag/utils.py} does.
 *
 * <p>Only the JSONL release gives lm-eval's prompts: llama.cpp's file was cleaned without lm-eval's
 * {@code ctx_b.capitalize()}, so its item 0 reads {@code "…roof. he"} where lm-eval has {@code "…roof. He"}. Its
 * lines are read as they are, since the split between {@code ctx_a} and {@code ctx_b} is lost.
 */
final class HellaswagReader implements TaskReader {
    static final int BLOCK_LINES = 6;
    static final int ENDINGS = 4;
    /** UNIX_LINES: like Python's {@code .}, match anything but {@code "\n"} (Java also stops at \r, U+2028...). */
    private static final Pattern BRACKETED = Pattern.compile("\\[.*?\\]", Pattern.UNIX_LINES);

    @Override
    public List<TaskItem> read(SourceLines source, int limit) {
        for (int i = 0; i < source.size(); i++) {
            String line = source.line(i);
            if (!SourceLines.isBlank(line)) {
                return PyText.strip(line).startsWith("{")
                        ? new JsonlReader(HellaswagReader::parseJson).read(source, limit)
                        : readBlocks(source, limit);
            }
        }
        return List.of();
    }

    /** lm-eval's {@code preprocess}: the brackets are WikiHow artifacts ("[title]", "[step]", "[header]"). */
    static String preprocess(String text) {
        String s = PyText.strip(text);
        s = s.replace(" [title]", ". ");
        s = BRACKETED.matcher(s).replaceAll("");
        return s.replace("  ", " ");
    }

    private static TaskItem parseJson(JsonDoc doc, int index) {
        if (doc.has("query")) {
            return JsonlReader.queryChoicesGold(doc, index, "");
        }
        if (!doc.has("ctx_a")) {
            throw doc.unknownLayout("{ctx_a, ctx_b, activity_label, endings, label} or {query, choices, gold}");
        }
        String ctx = doc.string("ctx_a") + " " + PyText.capitalize(doc.string("ctx_b"));
        String query = preprocess(doc.string("activity_label") + ": " + ctx);
        List<String> endings = doc.strings("endings").stream().map(HellaswagReader::preprocess).toList();
        if (endings.isEmpty()) {
            throw doc.error("field \"endings\" is empty");
        }
        return new TaskItem(index, JsonlReader.choices(query, endings), doc.gold("label", endings.size()));
    }

    private static List<TaskItem> readBlocks(SourceLines source, int limit) {
        int lines = source.sizeWithoutTrailingBlanks();
        int partial = lines % BLOCK_LINES;
        if (partial != 0) {
            // Checked before reading so that a truncated file fails even when a limit stops early.
            throw source.errorAt(lines - partial, "incomplete hellaswag block: expected " + BLOCK_LINES
                    + " lines (context, gold index, " + ENDINGS + " endings), found " + partial);
        }
        List<TaskItem> items = new ArrayList<>();
        for (int start = 0; start < lines && (limit <= 0 || items.size() < limit); start += BLOCK_LINES) {
            String context = source.line(start);
            int gold = goldIndex(source, start + 1);
            List<String> endings = new ArrayList<>(ENDINGS);
            for (int j = 0; j < ENDINGS; j++) {
                endings.add(source.line(start + 2 + j));
            }
            items.add(new TaskItem(items.size(), JsonlReader.choices(context, endings), gold));
        }
        return items;
    }

    private static int goldIndex(SourceLines source, int lineIndex) {
        String text = PyText.strip(source.line(lineIndex));
        try {
            int gold = Integer.parseInt(text);
            if (gold >= 0 && gold < ENDINGS) {
                return gold;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the offending text
        }
        throw source.errorAt(lineIndex, "gold index must be 0.." + (ENDINGS - 1) + ", got \"" + text + "\"");
    }
}
