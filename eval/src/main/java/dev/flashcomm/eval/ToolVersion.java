package dev.flashcomm.eval;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The tool's version, stamped by the build; recorded in every results row and cache key. */
public final class ToolVersion {

    public static final String VERSION = load();

    private ToolVersion() {
    }

    private static String load() {
        try (InputStream in = ToolVersion.class.getResourceAsStream("flashcomm.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
