package dev.flashcomm.results;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * Where flashcomm reads results from, as {@code ModelFiles} reads a checkpoint and the task readers read data: only
 * regular files (links followed), since a FIFO blocks a reader forever and {@code /dev/zero} never ends; and no file
 * larger than its kind ever is or than the heap can hold, refused before a byte is read, so a sparse file of
 * gigabytes ends in one line instead of an {@link OutOfMemoryError} minutes later.
 */
public final class InputFiles {

    /** {@code results.json} of the largest sweep (thousands of cells, a few kB each) is tens of MB. */
    public static final long JSON_LIMIT = 256L << 20;

    private InputFiles() {
    }

    /**
     * The size of {@code file}, which must exist and be a regular file.
     *
     * @throws ResultsException naming the file otherwise
     */
    public static long requireRegular(Path file) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw ResultsException.in(file, "no such file");
        } catch (IOException e) {
            throw ResultsException.in(file, "cannot read: " + OutputFiles.describe(e));
        }
        if (attrs.isDirectory()) {
            throw ResultsException.in(file, "is a directory, expected a file");
        }
        if (!attrs.isRegularFile()) {
            throw ResultsException.in(file, "not a regular file (a FIFO, socket or device would never end or never "
                    + "start); give a file");
        }
        return attrs.size();
    }

    /**
     * Checks that a file of {@code size} bytes may be read: at most {@code limit}, and at most what the heap holds
     * once read ({@code bytesPerByte} heap bytes per file byte, e.g. 4 for text decoded into a String and a parsed
     * tree).
     */
    public static void requireSize(Path file, long size, long limit, int bytesPerByte) {
        long heap = Runtime.getRuntime().maxMemory();
        if (size > limit) {
            throw ResultsException.in(file, "larger than " + mib(limit) + " MiB (" + mib(size) + " MiB), larger "
                    + "than any file of this kind flashcomm writes; is this the right file?");
        }
        if (size > heap / bytesPerByte) {
            throw ResultsException.in(file, "too large to read (" + mib(size) + " MiB; the Java heap holds "
                    + mib(heap) + " MiB): use a larger heap via FLASHCOMM_JAVA_OPTS=-Xmx...");
        }
    }

    /**
     * The whole of a regular file of at most {@code limit} bytes as strict UTF-8, or empty when it does not exist.
     *
     * @throws ResultsException naming the file when it is not a regular file, too large, or not UTF-8
     */
    public static Optional<String> readTextIfPresent(Path file, long limit) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        long size = requireRegular(file);
        requireSize(file, size, limit, 4);
        try (InputStream in = Files.newInputStream(file)) {
            // one byte more than allowed: the file may have grown since its size was read
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (bytes.length > limit) {
                throw ResultsException.in(file, "larger than " + mib(limit) + " MiB, larger than any file of this "
                        + "kind flashcomm writes; is this the right file?");
            }
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (CharacterCodingException e) {
            throw ResultsException.in(file, "not valid UTF-8");
        } catch (IOException e) {
            throw ResultsException.in(file, "cannot read: " + OutputFiles.describe(e));
        }
    }

    /** Consumes one line of a text file; may throw {@link RuntimeException}s of its own. */
    @FunctionalInterface
    public interface LineConsumer {
        void accept(long lineNumber, String line);
    }

    /**
     * Streams the lines of a regular file of at most {@code limit} bytes, none longer than {@code longestLine}
     * characters, as strict UTF-8 ({@code "\n"} ends a line, a trailing {@code "\r"} is kept).
     *
     * @throws ResultsException naming the file (and line) when it is not a regular file, too large, has too long a
     *         line, or is not UTF-8
     */
    public static void forEachLine(Path file, long limit, int longestLine, LineConsumer consumer) {
        requireSize(file, requireRegular(file), limit, 4);
        try (BufferedReader in = new BufferedReader(new LineLengthLimit(new InputStreamReader(
                Files.newInputStream(file), StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)),
                longestLine))) {
            long number = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                consumer.accept(++number, line);
            }
        } catch (LineLengthLimit.LineTooLongException e) {
            throw ResultsException.at(file, e.line(), e.getMessage() + " (is this the right file?)");
        } catch (NoSuchFileException e) {
            throw ResultsException.in(file, "no such file");
        } catch (CharacterCodingException e) {
            throw ResultsException.in(file, "not valid UTF-8");
        } catch (IOException e) {
            throw ResultsException.in(file, "cannot read: " + OutputFiles.describe(e));
        }
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }
}
