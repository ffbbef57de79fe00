package dev.flashcomm.eval.sweep;

import dev.flashcomm.eval.InputException;
import dev.flashcomm.results.OutputFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * The right to measure one cell: an exclusive lock on {@code <key>.lock} beside the cell's cache entry. Two sweeps
 * on one {@code --out} (or two shards sharing it) never measure the same cell at once: the second waits for the
 * first and then takes its result from the cache. Locks are per cell, not per directory, so shards that share a
 * cache still run side by side. The lock is the operating system's, so a killed sweep releases it.
 */
final class CellClaim implements AutoCloseable {

    /** How often a waiting sweep retries; short next to any cell's measurement. */
    static final long POLL_MILLIS = 200;

    private final FileChannel channel;
    /** Null for {@link #unshared()}. */
    private final FileLock lock;
    private final boolean waited;

    private CellClaim(FileChannel channel, FileLock lock, boolean waited) {
        this.channel = channel;
        this.lock = lock;
        this.waited = waited;
    }

    /**
     * Blocks until the cell is ours, telling {@code warnings} once when another sweep holds it.
     *
     * @throws InputException naming the lock file when it cannot be created
     * @throws dev.flashcomm.results.ResultsException naming it when it is not a regular file
     */
    static CellClaim acquire(Path lockFile, String cellLabel, Consumer<String> warnings) {
        // a FIFO at the lock's name would block a write-only open forever: refuse anything but a regular file, and
        // open read-write (which never blocks on a FIFO) without following links, should one appear meanwhile
        OutputFiles.requireRegularIfPresent(lockFile, "a cell's lock must be a regular file; remove it and run "
                + "again");
        FileChannel ch;
        try {
            ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new InputException(lockFile + ": cannot create the cell's lock file: " + e.getMessage());
        }
        boolean waited = false;
        try {
            while (true) {
                FileLock lock;
                try {
                    lock = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null; // another thread of this process holds it: the same as another process
                }
                if (lock != null) {
                    return new CellClaim(ch, lock, waited);
                }
                if (!waited) {
                    warnings.accept(lockFile + ": another flashcomm is measuring " + cellLabel
                            + "; waiting to use its result");
                    waited = true;
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (IOException e) {
            closeQuietly(ch);
            throw new InputException(lockFile + ": cannot lock: " + e.getMessage());
        } catch (InterruptedException e) {
            closeQuietly(ch);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + lockFile, e);
        }
    }

    /** A claim without a lock, for a run whose cells no other run can share (it keeps no cache). */
    static CellClaim unshared() {
        return new CellClaim(null, null, false);
    }

    /** True when another sweep held the cell first: its result may now be in the cache. */
    boolean waited() {
        return waited;
    }

    @Override
    public void close() {
        if (lock == null) {
            return;
        }
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel below releases it as well
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing held any more that a close could lose
        }
    }
}
