package dev.flashcomm.tp.model;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.flashcomm.tp.Engines;
import dev.flashcomm.tp.checkpoint.Checkpoint;
import dev.flashcomm.tp.checkpoint.SyntheticCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Wall-clock load times, old loader against streaming, printed; runs only when asked:
 * {@code -Dflashcomm.loadBench=DIR[,DIR...]} (a directory named {@code synthetic-100m} that does not exist is
 * written first: a random BF16 Llama of about 125M parameters). {@code -Dflashcomm.loadBench.tp=2} sets the TP.
 */
class LoadTimeBenchmark {

    @Test
    void printLoadTimes() throws Exception {
        String dirs = System.getProperty("flashcomm.loadBench");
        assumeTrue(dirs != null && !dirs.isBlank(), "skipped: set -Dflashcomm.loadBench=DIR to measure");
        int tp = Integer.getInteger("flashcomm.loadBench.tp", 1);
        int repeats = Integer.getInteger("flashcomm.loadBench.repeats", 3);
        try (NDManager warm = Engines.newRootManager(Device.cpu())) {
            warm.ones(new ai.djl.ndarray.types.Shape(4)).toFloatArray(); // the engine's native load is not a load time
        }
        for (String d : dirs.split(",")) {
            Path dir = Path.of(d);
            if (!Files.exists(dir) && dir.getFileName().toString().equals("synthetic-100m")) {
                long t0 = System.nanoTime();
                SyntheticCheckpoint.writeLlama(dir, 768, 12, 12, 4, 2048, 32000, 1);
                System.out.printf("wrote %s in %.1f s%n", dir, (System.nanoTime() - t0) / 1e9);
            }
            Checkpoint ck = Checkpoint.open(dir);
            ShardPlan plan = ShardPlan.balanced(ck.config(), tp);
            long bytes = ModelWeights.loadOrder(ck).stream().mapToLong(t -> t.storedBytes()).sum();
            for (int r = 0; r < repeats; r++) {
                long t0 = System.nanoTime();
                ModelWeights old = new ModelWeights(ck.config(), plan, List.of(Device.cpu()), DataType.FLOAT32);
                new HostTensorLoader(old).load(ck);
                double oldS = (System.nanoTime() - t0) / 1e9;
                TransformerModel.from(old).close();
                t0 = System.nanoTime();
                TransformerModel m = TransformerModel.load(ck, plan, List.of(Device.cpu()), DataType.FLOAT32);
                double newS = (System.nanoTime() - t0) / 1e9;
                m.close();
                t0 = System.nanoTime();
                java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(
                        Runtime.getRuntime().availableProcessors());
                try (HostStream in = new HostStream(ModelWeights.loadOrder(ck), LoadOptions.DEFAULT_CHUNK_BYTES,
                        LoadOptions.DEFAULT_BUFFERS, pool)) {
                    for (int i = 0; i < ModelWeights.loadOrder(ck).size(); ) {
                        HostStream.Chunk c = in.next();
                        in.release(c);
                        i += c.last() ? 1 : 0;
                    }
                } finally {
                    pool.shutdown();
                }
                double readS = (System.nanoTime() - t0) / 1e9;
                System.out.printf("READ+WIDEN only %.3f s%n", readS);
                System.out.printf("LOAD %s tp=%d %.1f MB: old %.3f s, streaming %.3f s (%.1fx)%n",
                        dir.getFileName(), tp, bytes / 1e6, oldS, newS, oldS / newS);
            }
        }
    }
}
