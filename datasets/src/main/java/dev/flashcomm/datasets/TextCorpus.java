package dev.flashcomm.datasets;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the single text that GPTQ-protocol perplexity tokenizes once (step 1 of the protocol in docs/tasks.md).
 *
 * <p>WikiText must be rebuilt exactly as the Hugging Face {@code wikitext-2-raw-v1} split sees it, because published
 * perplexities (and our reference token counts) depend on every separator.
 */
public final class TextCorpus {
    private TextCorpus() {
    }

    /**
     * The text of a WikiText {@code .raw} file as HF datasets builds it: {@code "\n\n".join(rows)}.
     *
     * @throws DataException if the file is missing, unreadable, not UTF-8, or has no non-blank line
     * @see #wikitextRows(String)
     */
    public static String wikitextRaw(Path rawFile) {
        String content = TextFiles.read(rawFile);
        if (PyText.isBlank(content)) {
            throw DataException.in(rawFile, "empty: no text to score");
        }
        return String.join("\n\n", wikitextRows(content));
    }

    /**
     * The rows of the HF split. HF's builder iterates a text-mode Python file ({@code for row in f}), which means:
     * <ul>
     *   <li>universal newlines: {@code "\r\n"} and a lone {@code "\r"} are read as {@code "\n"};</li>
     *   <li>a row ends after each {@code "\n"} and keeps it; only {@code "\n"} splits, unlike
     *       {@code str.splitlines()} (which would also split on U+2028, U+0085, form feed...);</li>
     *   <li>a last line without {@code "\n"} is a row as is; a file ending with {@code "\n"} has no empty last row;</li>
     *   <li>a row whose Python {@code strip()} is empty becomes {@code ""} (so {@code " \n"} becomes {@code ""}).</li>
     * </ul>
     * On wiki.test.raw this gives 4,358 rows, the size of the HF test split.
     */
    public static List<String> wikitextRows(String content) {
        String text = content.replace("\r\n", "\n").replace('\r', '\n');
        List<String> rows = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int newline = text.indexOf('\n', start);
            int end = newline < 0 ? text.length() : newline + 1;
            String row = text.substring(start, end);
            rows.add(PyText.isBlank(row) ? "" : row);
            start = end;
        }
        return List.copyOf(rows);
    }

    /**
     * A plain text corpus (e.g. TinyStories): the file content as is, no newline translation.
     *
     * @throws DataException if the file is missing, unreadable, not UTF-8, empty or only whitespace
     */
    public static String plainText(Path file) {
        String content = TextFiles.read(file);
        if (PyText.isBlank(content)) {
            throw DataException.in(file, "empty: no text to score");
        }
        return content;
    }
}
