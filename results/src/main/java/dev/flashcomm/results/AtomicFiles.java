package dev.flashcomm.results;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Writes a non-CSV output (results.json, the report's HTML and PNGs) as the CSV files are written: to a fresh
 * temporary name beside the target, forced to disk, then moved over it atomically, so a reader never sees half a file;
 * only a regular file (or nothing) is replaced ({@link OutputFiles#checkReplaceable}).
 */
public final class AtomicFiles {

    /** Writes the bytes of one file. */
    @FunctionalInterface
    public interface Body {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /** @throws ResultsException naming {@code target} when it cannot be written */
    public static void write(Path target, Body body) {
        OutputFiles.checkReplaceable(target);
        Path absolute = target.toAbsolutePath();
        Path tmp = absolute.resolveSibling(absolute.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = Channels.newOutputStream(channel)) {
                body.write(out);
                out.flush();
                channel.force(true);
            }
            OutputFiles.checkReplaceable(target); // again: the target may have been swapped while we wrote
            Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            deleteQuietly(tmp, e);
            throw ResultsException.in(target, "cannot write: directory " + absolute.getParent() + " does not exist");
        } catch (IOException e) {
            deleteQuietly(tmp, e);
            throw ResultsException.in(target, "cannot write: " + OutputFiles.describe(e));
        } catch (RuntimeException e) {
            deleteQuietly(tmp, e);
            throw e;
        }
    }

    public static void writeString(Path target, String text) {
        write(target, out -> out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static void deleteQuietly(Path tmp, Exception cause) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException suppressed) {
            cause.addSuppressed(suppressed);
        }
    }
}
