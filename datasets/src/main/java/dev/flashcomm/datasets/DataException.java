package dev.flashcomm.datasets;

import java.nio.file.Path;

/**
 * Bad input data: a missing, unreadable or malformed corpus or task file, or an unknown task name.
 *
 * <p>The message is one line meant for the user, {@code "<file>:<line>: <problem>"} or {@code "<file>: <problem>"},
 * so a CLI can print it as is, without a stack trace.
 */
public final class DataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A problem on one line of {@code file}; {@code line} counts from 1. */
    public static DataException at(Path file, int line, String problem) {
        return new DataException(file + ":" + line + ": " + problem);
    }

    /** A problem with {@code file} as a whole. */
    public static DataException in(Path file, String problem) {
        return new DataException(file + ": " + problem);
    }
}
