package dev.flashcomm.eval.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The stories260K checkpoint from the shared fixtures, and writable copies of it that a test can break. Tests that
 * call this skip (not fail) when the fixtures are absent.
 */
final class StoriesFixture {

    static final Path SHARED = Path.of(System.getProperty("flashcomm.shared", "../shared"));
    static final List<String> FILES = List.of("config.json", "model.safetensors", "tokenizer.json");

    private StoriesFixture() {
    }

    /** The read-only original; only for tests that do not modify the model. */
    static Path original() {
        Path dir = SHARED.resolve("models/stories260K");
        assumeTrue(Files.isDirectory(dir), () -> "skipped: no fixtures at " + dir.toAbsolutePath());
        return dir;
    }

    /** A writable copy under {@code parent}. */
    static Path copyTo(Path parent) throws IOException {
        Path src = original();
        Path dst = Files.createDirectories(parent.resolve("stories260K"));
        for (String f : FILES) {
            // read and write rather than Files.copy: the shared files are read-only and copy keeps their mode
            Files.write(dst.resolve(f), Files.readAllBytes(src.resolve(f)));
        }
        return dst;
    }

    static JsonObject config(Path modelDir) throws IOException {
        return JsonParser.parseString(Files.readString(modelDir.resolve("config.json"), StandardCharsets.UTF_8))
                .getAsJsonObject();
    }

    static void writeConfig(Path modelDir, JsonObject config) throws IOException {
        Files.writeString(modelDir.resolve("config.json"), config.toString(), StandardCharsets.UTF_8);
    }

    /**
     * A plain-text corpus written by the test (never copied from the fixtures): varied simple sentences, about
     * {@code sentences * 60} characters, which stories260K's byte-fallback tokenizer turns into roughly one token
     * per 2-4 characters.
     */
    static Path writeCorpus(Path file, int sentences) throws IOException {
        String[] who = {"a little fox", "the old baker", "a shy robot", "Lily", "the tall giraffe", "Tom"};
        String[] did = {"found a red ball", "baked warm bread", "sang a happy song", "looked at the moon",
            "ran to the park", "shared an apple"};
        String[] why = {"because it was sunny", "with a big smile", "after the rain", "before going to bed",
            "with a best friend", "on a cold morning"};
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < sentences; i++) {
            text.append("One day ").append(who[i % who.length]).append(' ').append(did[(i / 2) % did.length])
                    .append(' ').append(why[(i / 3) % why.length]).append(". ");
            if (i % 5 == 4) {
                text.append('\n');
            }
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }
}
