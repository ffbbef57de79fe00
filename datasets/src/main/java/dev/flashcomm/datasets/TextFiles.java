package dev.flashcomm.datasets;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a whole UTF-8 file, turning every I/O failure into a one-line {@link DataException}. */
final class TextFiles {
    private TextFiles() {
    }

    static String read(Path file) {
        if (Files.isDirectory(file)) {
            throw DataException.in(file, "is a directory, expected a file");
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw DataException.in(file, "file not found");
        } catch (CharacterCodingException e) {
            throw DataException.in(file, "not valid UTF-8");
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
