package dev.flashcomm.datasets;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A file of prompts to generate from ({@code flashcomm generate --prompts}, the sweep's {@code agreement:NAME}
 * tasks), in one of two layouts detected per file: JSONL when its first non-blank line starts with {@code '{'},
 * else plain text.
 *
 * <ul>
 *   <li>JSONL: every non-blank line is an object with a string field {@code "prompt"} (other fields are ignored),
 *       taken exactly as written, newlines and spaces included.
 *   <li>Plain text: every non-blank line is one prompt. Blank lines (only whitespace) are skipped, so they may
 *       separate groups of prompts; the rest of a line is kept verbatim, leading and trailing spaces included (a
 *       trailing space changes the tokens). Two escapes let a line hold what a line cannot: {@code \n} is a newline
 *       and {@code \\} a backslash; any other backslash is kept as it is.
 * </ul>
 *
 * <p>A prompt is never empty; every problem is one {@link DataException} naming the file and line.
 */
public final class PromptFile {

    private PromptFile() {
    }

    /**
     * The prompts of {@code file}, in file order.
     *
     * @throws DataException naming the file (and line) when it cannot be read, holds no prompt, or has a bad line
     */
    public static List<String> read(Path file) {
        SourceLines source = SourceLines.read(file);
        boolean jsonl = false;
        for (int i = 0; i < source.size(); i++) {
            if (!SourceLines.isBlank(source.line(i))) {
                jsonl = source.line(i).stripLeading().startsWith("{");
                break;
            }
        }
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < source.size(); i++) {
            String line = source.line(i);
            if (SourceLines.isBlank(line)) {
                continue;
            }
            String prompt = jsonl ? JsonDoc.parse(file, i + 1, line).string("prompt") : unescape(line);
            if (prompt.isEmpty()) {
                throw source.errorAt(i, "empty prompt");
            }
            prompts.add(prompt);
        }
        if (prompts.isEmpty()) {
            throw DataException.in(file, "no prompts (one per line, or JSONL lines {\"prompt\": ...})");
        }
        return List.copyOf(prompts);
    }

    /** {@code \n} to a newline, {@code \\} to a backslash; other backslashes stay. */
    static String unescape(String line) {
        if (line.indexOf('\\') < 0) {
            return line;
        }
        StringBuilder out = new StringBuilder(line.length());
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length() && (line.charAt(i + 1) == 'n' || line.charAt(i + 1) == '\\')) {
                out.append(line.charAt(i + 1) == 'n' ? '\n' : '\\');
                i++;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
