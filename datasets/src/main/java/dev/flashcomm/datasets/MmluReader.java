package dev.flashcomm.datasets;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * MMLU's original release: one headerless CSV per subject and split, records {@code question,A,B,C,D,answer}
 * (RFC 4180 quoting, fields may span lines), prompted as lm-eval's {@code mmlu} default template:
 * {@code question.strip() + "\nA. " + A + "\nB. " + B + "\nC. " + C + "\nD. " + D + "\nAnswer:"}, choices
 * {@code " A"} to {@code " D"}. The subject's description is the task's ({@link MmluSubject#description()}), not the
 * file's.
 */
final class MmluReader implements TaskReader {
    static final List<String> LETTERS = List.of("A", "B", "C", "D");
    private static final int FIELDS = 6;
    /** Excel-style CSV as Python's {@code csv.reader} reads it; blank lines between records are skipped. */
    private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder().setIgnoreEmptyLines(true).get();

    @Override
    public List<TaskItem> read(SourceLines source, int limit) {
        // The raw text, not the lines: a quoted field keeps its "\r\n" (college_mathematics_dev.csv has one), as
        // Python's csv module keeps it; SourceLines would drop the "\r". It has already checked the encoding.
        String csv = TextFiles.read(source.file());
        if (csv.startsWith("\uFEFF")) {
            csv = csv.substring(1);
        }
        List<TaskItem> items = new ArrayList<>();
        LineCounter lines = new LineCounter(csv);
        try (CSVParser parser = CSVParser.parse(new StringReader(csv), FORMAT)) {
            for (CSVRecord record : parser) {
                if (limit > 0 && items.size() >= limit) {
                    break;
                }
                items.add(item(record, items.size(), source, lines.lineAt(record.getCharacterPosition())));
            }
        } catch (IOException e) {
            // nothing to read from but a string: only a CSVException gets here
            throw DataException.in(source.file(), "bad CSV: " + e.getMessage());
        } catch (UncheckedIOException e) {
            // commons-csv's iterator wraps its CSVException (an unterminated quote: "(startline 3) EOF reached...")
            Throwable why = e.getCause() != null ? e.getCause() : e;
            throw DataException.in(source.file(), "bad CSV: " + why.getMessage());
        } catch (IllegalStateException e) {
            throw DataException.in(source.file(), "bad CSV: " + e.getMessage());
        }
        return items;
    }

    /** @param line the 0-based line the record starts on */
    private static TaskItem item(CSVRecord record, int index, SourceLines source, int line) {
        // errorAt counts lines from 0, like SourceLines, whose lines are the file's "\n"-separated lines
        if (record.size() != FIELDS) {
            throw source.errorAt(line, "expected " + FIELDS + " fields (question,A,B,C,D,answer), got "
                    + record.size());
        }
        String answer = PyText.strip(record.get(5));
        int gold = LETTERS.indexOf(answer);
        if (gold < 0) {
            throw source.errorAt(line, "answer must be one of A, B, C, D, got \"" + record.get(5) + "\"");
        }
        StringBuilder context = new StringBuilder(PyText.strip(record.get(0)));
        for (int c = 0; c < LETTERS.size(); c++) {
            context.append('\n').append(LETTERS.get(c)).append(". ").append(record.get(1 + c));
        }
        context.append("\nAnswer:");
        String ctx = context.toString();
        return new TaskItem(index, LETTERS.stream().map(l -> Choice.of(ctx, l)).toList(), gold);
    }

    /**
     * The 0-based line of a character position, for positions asked in increasing order (records come in file
     * order): each call counts only the newlines since the previous one, so a file costs one pass. Counting from the
     * start for every record made an 80,000-row file take minutes.
     */
    static final class LineCounter {
        private final String text;
        private int position;
        private int line;

        LineCounter(String text) {
            this.text = text;
        }

        int lineAt(long target) {
            if (target < position) { // not expected: start again rather than answer wrongly
                position = 0;
                line = 0;
            }
            int end = (int) Math.min(target, text.length());
            for (; position < end; position++) {
                if (text.charAt(position) == '\n') {
                    line++;
                }
            }
            return line;
        }
    }
}
