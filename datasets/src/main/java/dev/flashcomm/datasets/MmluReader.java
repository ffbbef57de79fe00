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
        // SourceLines has already checked the encoding and dropped a BOM and each line's "\r".
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < source.size(); i++) {
            text.append(source.line(i)).append('\n');
        }
        String csv = text.toString();
        List<TaskItem> items = new ArrayList<>();
        try (CSVParser parser = CSVParser.parse(new StringReader(csv), FORMAT)) {
            for (CSVRecord record : parser) {
                if (limit > 0 && items.size() >= limit) {
                    break;
                }
                items.add(item(record, items.size(), source, csv));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading a string cannot fail", e);
        } catch (IllegalStateException | UncheckedIOException e) {
            // commons-csv reports an unterminated quote this way
            throw DataException.in(source.file(), "bad CSV: " + e.getMessage());
        }
        return items;
    }

    private static TaskItem item(CSVRecord record, int index, SourceLines source, String csv) {
        int line = lineOf(csv, record.getCharacterPosition());
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

    /** The 0-based line a record starts on. */
    private static int lineOf(String csv, long position) {
        int line = 0;
        for (int i = 0; i < position && i < csv.length(); i++) {
            if (csv.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
