package dev.flashcomm.results;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * What a shard's part says about itself in its {@code results.part-i-of-n.json}: which shard wrote it, the plan's
 * cells in matrix order, and the SHA-256 of the two CSV parts it wrote, so that a merge tells a part copied over
 * another, or a part of another sweep, from the real one (the CSV files themselves carry no comment lines).
 */
public record PartIdentity(String shard, List<String> planCells, String resultsSha256, String itemsSha256) {

    public PartIdentity {
        Checks.requireName("shard", shard);
        planCells = List.copyOf(planCells);
        Objects.requireNonNull(resultsSha256, "resultsSha256");
        Objects.requireNonNull(itemsSha256, "itemsSha256");
    }

    /**
     * The SHA-256 of a file's bytes, hex.
     *
     * @throws ResultsException naming the file when it cannot be read
     */
    public static String sha256(Path file) {
        InputFiles.requireRegular(file); // a FIFO would block the digest forever, /dev/zero never end it
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                d.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (IOException e) {
            throw ResultsException.in(file, "cannot read: " + OutputFiles.describe(e));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
