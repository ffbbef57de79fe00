package dev.flashcomm.datasets;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The lines of a task file, numbered for error messages.
 *
 * <p>Lines are split on {@code "\n"} only, with one trailing {@code "\r"} dropped so files saved on Windows read the
 * same; a leading BOM is dropped because JSON parsers reject it. A file ending with {@code "\n"} has no empty last
 * line.
 */
final class SourceLines {
    /** Longer than any item of the supported tasks (BoolQ passages are a few thousand characters) by far. */
    static final int MAX_LINE_CHARS = 1 << 20;

    private final Path file;
    private final List<String> lines;

    private SourceLines(Path file, List<String> lines) {
        this.file = file;
        this.lines = List.copyOf(lines);
    }

    static SourceLines read(Path file) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        try (BufferedReader in = TextFiles.open(file)) {
            char[] buf = new char[1 << 16];
            boolean first = true;
            int n;
            while ((n = in.read(buf)) > 0) {
                int from = 0;
                if (first && buf[0] == '\uFEFF') {
                    from = 1;
                }
                first = false;
                for (int i = from; i < n; i++) {
                    char c = buf[i];
                    if (c == '\n') {
                        lines.add(strip(line));
                        line.setLength(0);
                    } else if (line.length() >= MAX_LINE_CHARS) {
                        // streamed, so one huge line costs this much memory and no more
                        throw DataException.at(file, lines.size() + 1, "longer than " + MAX_LINE_CHARS
                                + " characters; no task item is that long (is this the right file?)");
                    } else {
                        line.append(c);
                    }
                }
            }
        } catch (CharacterCodingException e) {
            throw DataException.in(file, "not valid UTF-8 (after line " + lines.size() + ")");
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (line.length() > 0) {
            lines.add(strip(line));
        }
        return new SourceLines(file, lines);
    }

    private static String strip(StringBuilder line) {
        int n = line.length();
        return n > 0 && line.charAt(n - 1) == '\r' ? line.substring(0, n - 1) : line.toString();
    }

    Path file() {
        return file;
    }

    int size() {
        return lines.size();
    }

    /** The line at {@code index}, from 0; its line number is {@code index + 1}. */
    String line(int index) {
        return lines.get(index);
    }

    static boolean isBlank(String line) {
        return PyText.isBlank(line);
    }

    /** The number of lines left after dropping trailing blank lines. */
    int sizeWithoutTrailingBlanks() {
        int n = lines.size();
        while (n > 0 && isBlank(lines.get(n - 1))) {
            n--;
        }
        return n;
    }

    long nonBlankCount() {
        return lines.stream().filter(l -> !isBlank(l)).count();
    }

    DataException errorAt(int index, String problem) {
        return DataException.at(file, index + 1, problem);
    }
}
