package dev.flashcomm.datasets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the small sample files the tests author themselves. */
final class Files2 {
    private Files2() {
    }

    /** Writes {@code lines}, each followed by "\n". */
    static Path lines(Path dir, String name, String... lines) {
        return text(dir, name, lines.length == 0 ? "" : String.join("\n", lines) + "\n");
    }

    static Path text(Path dir, String name, String content) {
        try {
            Path file = dir.resolve(name);
            Files.writeString(file, content, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
