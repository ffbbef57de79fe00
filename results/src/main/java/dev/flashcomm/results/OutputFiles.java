package dev.flashcomm.results;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where flashcomm may write. An atomic write renames a new file over the target, which replaces whatever the target
 * is: run as root, {@code --items /dev/null} would replace the system's {@code /dev/null} with a regular file, and
 * {@code --out link} the link instead of the file it points to. So a target must be absent or a regular file (not a
 * link to one), and two outputs of one command must be different files.
 */
public final class OutputFiles {

    private OutputFiles() {
    }

    /**
     * @throws ResultsException naming {@code target} when it exists and is not a regular file
     */
    public static void checkReplaceable(Path target) {
        requireRegularIfPresent(target, "flashcomm writes results only to a new or a regular file, which it replaces");
    }

    /**
     * The rule of {@link #checkReplaceable} for a file flashcomm opens in place, such as a lock file: a FIFO there
     * would block the open forever, a link would let it write elsewhere.
     *
     * @param why the end of the message, after the file and what it is
     * @throws ResultsException naming {@code file} when it exists and is not a regular file
     */
    public static void requireRegularIfPresent(Path file, String why) {
        Path target = file;
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return; // absent (or unreadable, which the write itself reports)
        }
        if (!attrs.isRegularFile()) {
            String kind = attrs.isSymbolicLink() ? "a symbolic link" : attrs.isDirectory() ? "a directory"
                    : "a device, FIFO or socket";
            throw ResultsException.in(target, "is " + kind + "; " + why);
        }
    }

    /**
     * Refuses two files of one command that are the same file: a second output would silently replace the first,
     * an output over an input would destroy it.
     *
     * @param byOption the file of each option (e.g. {@code "--out"}); absent options map to nothing
     */
    public static void requireDistinct(Map<String, Path> byOption) {
        List<Map.Entry<String, Path>> given = new ArrayList<>();
        byOption.entrySet().stream().filter(e -> e.getValue() != null).forEach(given::add);
        for (int i = 0; i < given.size(); i++) {
            for (int j = i + 1; j < given.size(); j++) {
                if (same(given.get(i).getValue(), given.get(j).getValue())) {
                    throw new ResultsException(given.get(i).getKey() + " and " + given.get(j).getKey()
                            + " name the same file " + given.get(j).getValue() + "; give each its own file");
                }
            }
        }
    }

    /**
     * Creates {@code dir} and its parents.
     *
     * @throws ResultsException naming the directory, saying when the problem is a permission
     */
    public static void createDirectories(Path dir, String what) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw ResultsException.in(dir, "cannot create the " + what + ": " + describe(e));
        }
    }

    /** An I/O failure in words: a permission problem says so, a file-system error keeps its reason. */
    static String describe(IOException e) {
        if (e instanceof AccessDeniedException a) {
            return "permission denied" + (a.getFile() != null ? " on " + a.getFile() : "")
                    + " (the user running flashcomm may not write there)";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason() + (f.getFile() != null ? " (" + f.getFile() + ")" : "");
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.replace('\n', ' ');
    }

    private static boolean same(Path a, Path b) {
        if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) {
            return true;
        }
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
