package dev.flashcomm.datasets;

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
    private final Path file;
    private final List<String> lines;

    private SourceLines(Path file, List<String> lines) {
        this.file = file;
        this.lines = List.copyOf(lines);
    }

    static SourceLines read(Path file) {
        String text = TextFiles.read(file);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int newline = text.indexOf('\n', start);
            int end = newline < 0 ? text.length() : newline;
            String line = text.substring(start, end);
            lines.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
            start = end + 1;
        }
        return new SourceLines(file, lines);
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
