package dev.flashcomm.tp.checkpoint;

import java.nio.file.Path;

/**
 * A model directory that cannot be used: a missing or unreadable file, a malformed header, an unsupported
 * architecture, a tensor that is missing or has the wrong shape or dtype. The message is one line that names the
 * file and the problem, ready to be shown to the user as is.
 */
public final class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public CheckpointException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
