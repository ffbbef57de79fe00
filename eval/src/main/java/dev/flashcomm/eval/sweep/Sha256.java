package dev.flashcomm.eval.sweep;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 over strings and file contents: the identities cache keys are made of. */
final class Sha256 {

    private static final int CHUNK = 1 << 16;

    private Sha256() {
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    static String of(String text) {
        MessageDigest d = newDigest();
        d.update(text.getBytes(StandardCharsets.UTF_8));
        return hex(d);
    }

    /** The hash of a whole file's bytes. */
    static String ofFile(Path file) throws IOException {
        MessageDigest d = newDigest();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            update(d, ch, 0, ch.size());
        }
        return hex(d);
    }

    /** Feeds {@code length} bytes of {@code ch} from {@code position} into {@code d}. */
    static void update(MessageDigest d, FileChannel ch, long position, long length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        long pos = position;
        long end = position + length;
        while (pos < end) {
            buf.clear();
            buf.limit((int) Math.min(CHUNK, end - pos));
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("file shorter than expected");
            }
            buf.flip();
            d.update(buf);
            pos += n;
        }
    }

    /** Separates fields, so that ("ab", "c") and ("a", "bc") never hash alike. */
    static void field(MessageDigest d, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        d.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        d.update(bytes);
    }
}
