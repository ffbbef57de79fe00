package dev.flashcomm.results;

import java.nio.file.Path;

/**
 * Bad input to the results module: a malformed or inconsistent results file, a cell without a baseline, a conflict
 * between shards. The message is one line meant for the user, {@code "<file>:<line>: <problem>"} or
 * {@code "<file>: <problem>"}.
 */
public final class ResultsException extends RuntimeException {

    public ResultsException(String message) {
        super(message);
    }

    public ResultsException(String message, Throwable cause) {
        super(message, cause);
    }

    static ResultsException at(Path file, long line, String problem) {
        return new ResultsException(file + ":" + line + ": " + problem);
    }

    static ResultsException in(Path file, String problem) {
        return new ResultsException(file + ": " + problem);
    }
}
