package dev.flashcomm.eval.cli;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs a command that a defect would leave blocked on a FIFO, with a generous time limit as a guard only: past it the
 * test fails, and the FIFOs are opened read-write (which never blocks on Linux) so that the blocked open returns and
 * the JVM can end instead of hanging the build.
 */
final class HangGuard {

    /** Far longer than any of these commands takes; only a hang reaches it. */
    static final Duration LIMIT = Duration.ofSeconds(60);

    private HangGuard() {
    }

    /** A FIFO at {@code path}; skips the test where mkfifo is not available. */
    static Path fifo(Path path) throws IOException, InterruptedException {
        assumeTrue(new ProcessBuilder("mkfifo", path.toString()).start().waitFor() == 0, "mkfifo unavailable");
        return path;
    }

    static CliRun run(Supplier<CliRun> command, Path... fifos) throws InterruptedException {
        FutureTask<CliRun> task = new FutureTask<>(command::get);
        Thread worker = new Thread(task, "hang-guard");
        worker.setDaemon(true);
        worker.start();
        try {
            return task.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            for (Path fifo : fifos) {
                release(fifo);
            }
            worker.interrupt();
            return fail("still running after " + LIMIT.toSeconds() + " s: blocked on a FIFO?");
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
    }

    private static void release(Path fifo) {
        try (FileChannel ch = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {'\n'}));
        } catch (IOException e) {
            // gone or not a FIFO any more: nothing is blocked on it
        }
    }
}
