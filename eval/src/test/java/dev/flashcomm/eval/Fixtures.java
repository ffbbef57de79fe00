package dev.flashcomm.eval;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The shared models, data and references beside the repository; tests that need them skip when absent. */
public final class Fixtures {

    public static final Path SHARED = Path.of(System.getProperty("flashcomm.shared", "../../shared"))
            .toAbsolutePath().normalize();
    public static final Path ROOT = Path.of(System.getProperty("flashcomm.root", ".."))
            .toAbsolutePath().normalize();

    private Fixtures() {
    }

    public static Path shared(String relative) {
        Path p = SHARED.resolve(relative);
        assumeTrue(Files.exists(p), () -> "skipped: no fixtures at " + p);
        return p;
    }

    public static JsonObject reference(String model) {
        Path p = shared("reference/" + model + ".json");
        try {
            return JsonParser.parseString(Files.readString(p, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
