package dev.flashcomm.eval.sweep;

import dev.flashcomm.eval.InputException;
import dev.flashcomm.tp.checkpoint.Checkpoint;
import dev.flashcomm.tp.checkpoint.ModelFiles;
import dev.flashcomm.tp.checkpoint.SafetensorsFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.List;

/**
 * What a model is, independent of where it lies: a SHA-256 over {@code config.json}, {@code tokenizer.json}, the
 * safetensors index and every safetensors file's name, size, header and weights. The files and where their data
 * begins come from the {@link Checkpoint} that {@code tp} opened: the safetensors header is parsed there only, and
 * a stray {@code *.safetensors} the checkpoint does not use is never opened. Neither the path nor the modification
 * time takes part, so a copied model keeps its cached results and an edited one loses them.
 *
 * <p>Weights are hashed whole up to {@link #FULL_HASH_LIMIT} bytes per file. Beyond that, reading every byte of a
 * 14 GB checkpoint would cost each sweep start tens of seconds, so a large file contributes its header and
 * {@link #SAMPLE}-byte samples every {@link #STRIDE} bytes plus its tail: two different trainings (a base model and its
 * fine-tune, which share config, tokenizer and header) differ in virtually every sample, while a single flipped
 * byte deep inside a large file would go unnoticed.
 */
public final class ModelIdentity {

    static final long FULL_HASH_LIMIT = 64L << 20;
    static final long STRIDE = 32L << 20;
    static final int SAMPLE = 64 << 10;

    private static final List<String> WHOLE_FILES = List.of("config.json", "tokenizer.json",
            "model.safetensors.index.json");

    private ModelIdentity() {
    }

    /**
     * Opens the checkpoint first; for a model already opened, use {@link #of(Checkpoint)}.
     *
     * @throws InputException naming the file that cannot be read
     */
    public static String of(Path modelDir) {
        return of(Checkpoint.open(modelDir));
    }

    /**
     * @throws InputException naming the file that cannot be read
     */
    public static String of(Checkpoint checkpoint) {
        Path modelDir = checkpoint.dir();
        MessageDigest d = Sha256.newDigest();
        for (String name : WHOLE_FILES) {
            Path file = modelDir.resolve(name);
            Sha256.field(d, name);
            if (Files.exists(file)) {
                ModelFiles.regular(file, "");
                Sha256.field(d, hashOf(file));
            } else {
                Sha256.field(d, "absent");
            }
        }
        for (SafetensorsFile weights : checkpoint.files()) {
            Sha256.field(d, weights.path().getFileName().toString());
            hashWeights(d, weights.path(), weights.dataStart());
        }
        return Sha256.hex(d);
    }

    private static String hashOf(Path file) {
        try {
            return Sha256.ofFile(file);
        } catch (IOException e) {
            throw new InputException(file + ": cannot read: " + e.getMessage());
        }
    }

    private static void hashWeights(MessageDigest d, Path file, long dataStart) {
        ModelFiles.regular(file, ""); // a FIFO named *.safetensors would block the sweep's start forever
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            Sha256.field(d, Long.toString(size));
            if (size <= FULL_HASH_LIMIT) {
                Sha256.update(d, ch, 0, size);
                return;
            }
            Sha256.update(d, ch, 0, dataStart);
            for (long pos = dataStart; pos < size; pos += STRIDE) {
                Sha256.update(d, ch, pos, Math.min(SAMPLE, size - pos));
            }
            long tail = Math.max(dataStart, size - SAMPLE);
            Sha256.update(d, ch, tail, size - tail);
        } catch (IOException e) {
            throw new InputException(file + ": cannot read: " + e.getMessage());
        }
    }
}
