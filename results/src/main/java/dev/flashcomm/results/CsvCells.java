package dev.flashcomm.results;

import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads typed cells of one CSV record, turning any problem into a {@code file:line: column: problem} error. Doubles
 * are written with {@link Double#toString} so that they read back bit for bit.
 */
final class CsvCells {

    /** Decimal notation only: what {@link Double#toString} writes for finite values, and what people type. */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Set<String> NON_FINITE = Set.of("NaN", "Infinity", "-Infinity");

    private final CSVRecord record;
    private final Path file;
    private final long line;

    CsvCells(CSVRecord record, Path file, long line) {
        this.record = record;
        this.file = file;
        this.line = line;
    }

    /** The cell's text; empty for an optional column the file does not have (see {@code CsvFiles.read}). */
    String text(Enum<?> column) {
        return record.isMapped(column.name()) ? record.get(column) : "";
    }

    int integer(Enum<?> column) {
        String cell = text(column);
        try {
            return Integer.parseInt(cell.strip());
        } catch (NumberFormatException e) {
            throw error(column + ": bad integer '" + cell + "'");
        }
    }

    long longInteger(Enum<?> column) {
        String cell = text(column);
        try {
            return Long.parseLong(cell.strip());
        } catch (NumberFormatException e) {
            throw error(column + ": bad integer '" + cell + "'");
        }
    }

    /**
     * A number as {@link #format} writes it: plain decimal notation with an optional exponent, or {@code NaN},
     * {@code Infinity}, {@code -Infinity}. Java's other syntax ({@code 0x1p-2}, {@code 1d}) is refused, and so is a
     * decimal too large for a double ({@code 1e309}), which would silently read as infinity.
     */
    double number(Enum<?> column) {
        String cell = text(column).strip();
        if (NON_FINITE.contains(cell)) {
            return Double.parseDouble(cell);
        }
        if (!DECIMAL.matcher(cell).matches()) {
            throw error(column + ": bad number '" + cell + "'");
        }
        double v = Double.parseDouble(cell);
        if (Double.isInfinite(v)) {
            throw error(column + ": '" + cell + "' is out of the range of a double");
        }
        return v;
    }

    /**
     * A finite {@link #number}: results and items files never hold NaN or an infinity (a run that meets one stops),
     * so one there was written by something else and is bad input, not a measurement to judge.
     */
    double finite(Enum<?> column) {
        double v = number(column);
        if (!Double.isFinite(v)) {
            throw error(column + ": '" + text(column).strip() + "' is not a finite number; no flashcomm run writes "
                    + "one");
        }
        return v;
    }

    /** An empty cell is an absent value; any other must be {@link #finite}. */
    OptionalDouble optionalFinite(Enum<?> column) {
        return text(column).isBlank() ? OptionalDouble.empty() : OptionalDouble.of(finite(column));
    }

    /** An empty cell is NaN (e.g. a standard error that was not computed); any other must be {@link #finite}. */
    double finiteOrNaN(Enum<?> column) {
        return text(column).isBlank() ? Double.NaN : finite(column);
    }

    ResultsException error(String problem) {
        return ResultsException.at(file, line, problem);
    }

    static String format(double value) {
        return Double.toString(value);
    }

    static String format(OptionalDouble value) {
        return value.isPresent() ? format(value.getAsDouble()) : "";
    }

    static String formatOrEmpty(double valueOrNaN) {
        return Double.isNaN(valueOrNaN) ? "" : format(valueOrNaN);
    }
}
