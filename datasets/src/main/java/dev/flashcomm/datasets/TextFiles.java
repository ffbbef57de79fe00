package dev.flashcomm.datasets;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads UTF-8 data files, turning every I/O failure into a one-line {@link DataException}. Only regular files are
 * read: a FIFO would block forever and {@code /dev/zero} never ends. A whole-file read is refused up front when the
 * file cannot fit the Java heap, instead of failing with an {@link OutOfMemoryError} after minutes.
 */
final class TextFiles {
    private TextFiles() {
    }

    static String read(Path file) {
        long size = checkRegular(file);
        // a String of n UTF-8 bytes takes up to 2n bytes, and decoding holds the bytes too: ask for 4n to be safe
        long heap = Runtime.getRuntime().maxMemory();
        if (size > Integer.MAX_VALUE - 8 || size > heap / 4) {
            throw DataException.in(file, "too large to read at once (" + (size >> 20) + " MiB; the Java heap holds "
                    + (heap >> 20) + " MiB): use a smaller file, or a larger heap via FLASHCOMM_JAVA_OPTS=-Xmx...");
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw DataException.in(file, "file not found");
        } catch (CharacterCodingException e) {
            throw DataException.in(file, "not valid UTF-8");
        } catch (AccessDeniedException e) {
            throw DataException.in(file, "permission denied");
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** A strict UTF-8 reader of a checked regular file; the caller closes it. */
    static BufferedReader open(Path file) {
        checkRegular(file);
        try {
            Reader r = new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
            return new BufferedReader(r, 1 << 16);
        } catch (NoSuchFileException e) {
            throw DataException.in(file, "file not found");
        } catch (AccessDeniedException e) {
            throw DataException.in(file, "permission denied");
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** The size of {@code file}, which must be a regular file (links followed). */
    private static long checkRegular(Path file) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw DataException.in(file, "file not found");
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (attrs.isDirectory()) {
            throw DataException.in(file, "is a directory, expected a file");
        }
        if (!attrs.isRegularFile()) {
            throw DataException.in(file, "not a regular file (a FIFO, socket or device); give a file");
        }
        return attrs.size();
    }
}
