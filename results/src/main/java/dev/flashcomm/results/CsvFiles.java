package dev.flashcomm.results;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.DuplicateHeaderMode;

/** Atomic writing and checked reading of the module's CSV files; the column set is an enum. */
final class CsvFiles {

    /** Prints the data records; the header is already written. */
    @FunctionalInterface
    interface RecordWriter {
        void write(CSVPrinter printer) throws IOException;
    }

    /** Consumes one data record; may throw {@link ResultsException} or {@link IllegalArgumentException}. */
    @FunctionalInterface
    interface RecordReader {
        void read(CsvCells cells);
    }

    /** Longest legacy comment line {@link #skipLegacyComments} can step back over (they held a command line). */
    private static final int LONGEST_COMMENT = 1 << 20;
    /** Longest line read at all: a legacy comment line, far above any row. */
    private static final int LONGEST_LINE = LONGEST_COMMENT;
    /** Far above the items.csv of any sweep (tens of millions of item scores); the heap is the usual limit. */
    static final long CSV_LIMIT = 16L << 30;
    /** Rows read are kept: each costs a few times its text in objects. */
    private static final int HEAP_PER_BYTE = 4;

    private CsvFiles() {
    }

    /**
     * The format files are written in: the header is the first line, no comment lines (so {@code pandas.read_csv},
     * spreadsheets and any RFC 4180 reader take the file as it is), fixed column order, '\n' line ends. What the
     * files used to say in comments (tool version, command line, a shard's identity) is in {@code results.json}
     * beside them.
     */
    static CSVFormat writeFormat(Class<? extends Enum<?>> columns) {
        return CSVFormat.DEFAULT.builder()
                .setHeader(columns)
                .setRecordSeparator('\n')
                .get();
    }

    /**
     * The format files are read in: header taken from the file, so columns are found by name in any order. No comment
     * marker: files of earlier versions began with {@code #} lines, which {@link #read} skips before the header only,
     * so a cell that happens to start with {@code #} is never mistaken for a comment.
     */
    static CSVFormat readFormat() {
        return CSVFormat.DEFAULT.builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .setDuplicateHeaderMode(DuplicateHeaderMode.DISALLOW)
                .get();
    }

    /**
     * Writes to a temporary file beside {@code target}, forces it to disk and moves it over {@code target} atomically,
     * so readers never see half a file; the temporary file is removed if anything fails. Only a regular file (or
     * nothing) is replaced: see {@link OutputFiles#checkReplaceable}.
     */
    static void writeAtomically(Path target, CSVFormat format, RecordWriter body) {
        try {
            AtomicFiles.write(target, out -> {
                // not closed here: AtomicFiles forces the stream to disk and closes it
                CSVPrinter printer = new CSVPrinter(
                        new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8)), format);
                body.write(printer);
                printer.flush();
            });
        } catch (UncheckedIOException e) {
            throw ResultsException.in(target, "cannot write: " + describe(e));
        }
    }

    /**
     * Parses {@code file}, checks that every column of {@code columns} is present and hands each data record to
     * {@code reader}; any problem becomes a one-line {@link ResultsException} naming the file and line.
     */
    static void read(Path file, Class<? extends Enum<?>> columns, RecordReader reader) {
        read(file, columns, java.util.Set.of(), reader);
    }

    /**
     * As {@link #read(Path, Class, RecordReader)}, where the {@code optional} columns (added in later versions) may
     * be absent: their cells then read as empty, so files written before they existed still load.
     */
    static void read(Path file, Class<? extends Enum<?>> columns, java.util.Set<? extends Enum<?>> optional,
                     RecordReader reader) {
        // refused before a byte is read: a FIFO never ends or starts, a sparse file of gigabytes fills the heap
        InputFiles.requireSize(file, InputFiles.requireRegular(file), CSV_LIMIT, HEAP_PER_BYTE);
        try (BufferedReader in = new BufferedReader(new LineLengthLimit(withoutByteOrderMark(file), LONGEST_LINE))) {
            long skipped = skipLegacyComments(in);
            CSVParser parser = readFormat().parse(in);
            checkHeader(file, parser.getHeaderNames(), columns, optional);
            for (CSVRecord record : parser) {
                long line = skipped + parser.getCurrentLineNumber();
                if (!record.isConsistent()) {
                    throw ResultsException.at(file, line, "expected " + parser.getHeaderNames().size()
                            + " cells, found " + record.size());
                }
                try {
                    reader.read(new CsvCells(record, file, line));
                } catch (IllegalArgumentException e) {
                    throw ResultsException.at(file, line, e.getMessage());
                }
            }
        } catch (NoSuchFileException e) {
            throw ResultsException.in(file, "no such file");
        } catch (CharacterCodingException e) {
            throw ResultsException.in(file, "not valid UTF-8");
        } catch (LineLengthLimit.LineTooLongException e) {
            throw tooLong(file, e);
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof LineLengthLimit.LineTooLongException tooLong) {
                throw tooLong(file, tooLong);
            }
            throw ResultsException.in(file, e.getCause() instanceof CharacterCodingException ? "not valid UTF-8"
                    : "cannot read: " + describe(e));
        } catch (IOException e) {
            throw ResultsException.in(file, "cannot read: " + describe(e));
        } catch (IllegalArgumentException e) {
            // commons-csv rejects a malformed header (e.g. a repeated column) while opening the file
            throw ResultsException.in(file, "bad header: " + e.getMessage());
        }
    }

    private static ResultsException tooLong(Path file, LineLengthLimit.LineTooLongException e) {
        return ResultsException.at(file, e.line(), e.getMessage() + "; no line of a results file is that long (is "
                + "this the right file?)");
    }

    /**
     * The {@code #} lines above the header of a file of an earlier version (marker and one space removed); none for
     * the files written now.
     *
     * @throws ResultsException naming the file when it cannot be read
     */
    static List<String> legacyComments(Path file) {
        InputFiles.requireRegular(file);
        List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new LineLengthLimit(withoutByteOrderMark(file), LONGEST_LINE))) {
            for (String line = in.readLine(); line != null && line.startsWith("#"); line = in.readLine()) {
                lines.add(line.startsWith("# ") ? line.substring(2) : line.substring(1));
            }
        } catch (IOException | UncheckedIOException e) {
            throw ResultsException.in(file, "cannot read: " + (e instanceof IOException io ? OutputFiles.describe(io)
                    : describe(e)));
        }
        return List.copyOf(lines);
    }

    /**
     * Skips the {@code #} lines that files of earlier versions carried above the header, leaving {@code in} at the
     * header line; returns how many lines were skipped, so that error messages keep the file's line numbers.
     */
    static long skipLegacyComments(BufferedReader in) throws IOException {
        long skipped = 0;
        while (true) {
            in.mark(LONGEST_LINE + 2); // the line and its "\r\n"
            String line = in.readLine();
            if (line == null || !line.startsWith("#")) {
                in.reset();
                return skipped;
            }
            skipped++;
        }
    }

    /**
     * A reader of {@code file} past a UTF-8 byte-order mark, which spreadsheet programs write and which would
     * otherwise become part of the first column's name.
     */
    private static Reader withoutByteOrderMark(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file));
        try {
            in.mark(3);
            byte[] head = in.readNBytes(3);
            if (!(head.length == 3 && (head[0] & 0xff) == 0xEF && (head[1] & 0xff) == 0xBB
                    && (head[2] & 0xff) == 0xBF)) {
                in.reset();
            }
            return new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
        } catch (IOException e) {
            in.close();
            throw e;
        }
    }

    private static void checkHeader(Path file, List<String> header, Class<? extends Enum<?>> columns,
                                    java.util.Set<? extends Enum<?>> optional) {
        if (header.isEmpty()) {
            throw ResultsException.in(file, "empty file, expected a header line");
        }
        List<String> missing = new ArrayList<>();
        for (Enum<?> column : columns.getEnumConstants()) {
            if (!header.contains(column.name()) && !optional.contains(column)) {
                missing.add(column.name());
            }
        }
        if (!missing.isEmpty()) {
            throw ResultsException.in(file, "missing column" + (missing.size() > 1 ? "s " : " ")
                    + String.join(", ", missing));
        }
    }

    private static String describe(Exception e) {
        Throwable root = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        String message = root.getMessage();
        return message == null ? root.getClass().getSimpleName() : message.replace('\n', ' ');
    }
}
