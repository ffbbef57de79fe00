package dev.flashcomm.results;

import java.nio.file.Path;
import java.util.OptionalDouble;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads typed cells of one CSV record, turning any problem into a {@code file:line: column: problem} error. Doubles
 * are written with {@link Double#toString} so that they read back bit for bit.
 */
final class CsvCells {

    private final CSVRecord record;
    private final Path file;
    private final long line;

    CsvCells(CSVRecord record, Path file, long line) {
        this.record = record;
        this.file = file;
        this.line = line;
    }

    String text(Enum<?> column) {
        return record.get(column);
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

    double number(Enum<?> column) {
        String cell = text(column);
        try {
            return Double.parseDouble(cell.strip());
        } catch (NumberFormatException e) {
            throw error(column + ": bad number '" + cell + "'");
        }
    }

    /** An empty cell is an absent value. */
    OptionalDouble optionalNumber(Enum<?> column) {
        return text(column).isBlank() ? OptionalDouble.empty() : OptionalDouble.of(number(column));
    }

    /** An empty cell is NaN (e.g. a standard error that was not computed). */
    double numberOrNaN(Enum<?> column) {
        return text(column).isBlank() ? Double.NaN : number(column);
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
