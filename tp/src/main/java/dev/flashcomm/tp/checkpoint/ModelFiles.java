package dev.flashcomm.tp.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The files of a model directory, opened as an untrusted download is opened: a name read from a file (an index
 * entry) must be a plain relative name that stays inside the directory once symbolic links are resolved, every file
 * must be a regular file (a FIFO would block forever, {@code /dev/zero} never ends), and a file whose format implies a
 * size is read only up to that size. Errors never quote the file's content.
 *
 * <p>A Hugging Face hub snapshot ({@code .../snapshots/REV/}) holds symbolic links into the hub's
 * {@code ../../blobs/}; links that resolve into that blob store are accepted too.
 */
public final class ModelFiles {

    /** {@code config.json} and the safetensors index: a few kilobytes in practice. */
    public static final long JSON_LIMIT = 16L << 20;
    /** {@code tokenizer.json}: the largest public ones (Gemma) are about 35 MB. */
    public static final long TOKENIZER_LIMIT = 128L << 20;

    private ModelFiles() {
    }

    /**
     * The file {@code name} (as written in {@code referencedBy}, e.g. an index entry) of {@code modelDir}, checked.
     *
     * @throws CheckpointException when the name leaves the directory, the file is missing or is not a regular file
     */
    public static Path member(Path modelDir, String name, Path referencedBy) {
        String where = referencedBy == null ? "" : " (named in " + referencedBy.getFileName() + ")";
        if (name.isEmpty() || name.indexOf('\0') >= 0) {
            throw new CheckpointException(referencedBy == null ? modelDir : referencedBy,
                    "file name is empty or contains a NUL character");
        }
        Path relative;
        try {
            relative = modelDir.getFileSystem().getPath(name);
        } catch (RuntimeException e) {
            throw new CheckpointException(referencedBy == null ? modelDir : referencedBy, "file name '"
                    + printable(name) + "' is not a valid path");
        }
        if (relative.isAbsolute() || relative.normalize().startsWith("..") || !relative.normalize().equals(relative)) {
            throw new CheckpointException(referencedBy == null ? modelDir : referencedBy, "file name '"
                    + printable(name) + "' points outside the model directory " + modelDir);
        }
        Path file = modelDir.resolve(relative);
        regular(file, where);
        confine(modelDir, file, where);
        return file;
    }

    /**
     * Checks that {@code file} (links followed) exists and is a regular file.
     *
     * @param where appended to "not found", e.g. " (named in model.safetensors.index.json)"
     */
    public static void regular(Path file, String where) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, "not found" + where);
        } catch (AccessDeniedException e) {
            throw new CheckpointException(file, "permission denied");
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + e.getMessage());
        }
        if (!attrs.isRegularFile()) {
            throw new CheckpointException(file, "not a regular file (" + kind(attrs) + ")" + where);
        }
    }

    /** The whole of a regular file of at most {@code limit} bytes, decoded as strict UTF-8. */
    public static String readText(Path file, long limit) {
        regular(file, "");
        try (InputStream in = Files.newInputStream(file)) {
            // read one byte more than allowed: the size the directory reports may change under us
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (bytes.length > limit) {
                throw new CheckpointException(file, "larger than " + (limit >> 20) + " MiB, too large for this "
                        + "kind of file");
            }
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointException(file, "not valid UTF-8");
        } catch (AccessDeniedException e) {
            throw new CheckpointException(file, "permission denied");
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + e.getMessage());
        }
    }

    /** Checks that the size of a regular file is at most {@code limit}. */
    public static void checkSize(Path file, long limit) {
        regular(file, "");
        try {
            if (Files.size(file) > limit) {
                throw new CheckpointException(file, "larger than " + (limit >> 20) + " MiB, too large for this "
                        + "kind of file");
            }
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + e.getMessage());
        }
    }

    private static void confine(Path modelDir, Path file, String where) {
        Path realDir;
        Path real;
        try {
            realDir = modelDir.toRealPath();
            real = file.toRealPath();
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot resolve: " + e.getMessage());
        }
        if (real.startsWith(realDir)) {
            return;
        }
        Path snapshots = realDir.getParent();
        if (snapshots != null && snapshots.getFileName() != null
                && snapshots.getFileName().toString().equals("snapshots") && snapshots.getParent() != null) {
            Path blobs = snapshots.getParent().resolve("blobs");
            if (Files.isDirectory(blobs)) {
                try {
                    if (real.startsWith(blobs.toRealPath())) {
                        return;
                    }
                } catch (IOException e) {
                    // unresolvable blob store: fall through to the refusal
                }
            }
        }
        throw new CheckpointException(file, "resolves to a file outside the model directory " + modelDir + where);
    }

    private static String kind(BasicFileAttributes attrs) {
        if (attrs.isDirectory()) {
            return "a directory";
        }
        return attrs.isOther() ? "a FIFO, socket or device" : "not a plain file";
    }

    /** A name from a file, safe to print: control characters escaped, at most 200 characters. */
    static String printable(String name) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < name.length() && b.length() < 200; i++) {
            char c = name.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }
}
