package dev.flashcomm.tp.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.flashcomm.tp.checkpoint.CheckpointException;
import dev.flashcomm.tp.checkpoint.ModelFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A model's {@code tokenizer.json} through DJL's HuggingFaceTokenizer. Truncation is switched off explicitly:
 * DJL otherwise cuts every encoding at {@code model_max_length}, which silently turns a whole corpus into one
 * window. Special tokens are added as the tokenizer's post-processor defines (Llama: BOS; Qwen: nothing).
 */
public final class ModelTokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;
    private final Path file;
    /** Ids at or beyond this are not rows of the embedding; {@code Integer.MAX_VALUE} when unknown. */
    private final int vocabSize;

    private ModelTokenizer(HuggingFaceTokenizer tokenizer, Path file, int vocabSize) {
        this.tokenizer = tokenizer;
        this.file = file;
        this.vocabSize = vocabSize;
    }

    /** Loads {@code tokenizer.json} from a model directory (or a tokenizer.json path). The caller closes it. */
    public static ModelTokenizer load(Path dirOrFile) {
        return load(dirOrFile, Integer.MAX_VALUE);
    }

    /**
     * As {@link #load(Path)}, for a model with {@code vocabSize} embedding rows: {@link #encode} refuses an id the
     * model has no row for (a tokenizer from another model), which would otherwise index outside the embedding.
     */
    public static ModelTokenizer load(Path dirOrFile, int vocabSize) {
        boolean inDir = Files.isDirectory(dirOrFile);
        Path file = inDir ? dirOrFile.resolve("tokenizer.json") : dirOrFile;
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new CheckpointException(file, "not found (a Hugging Face tokenizer.json is required)");
        }
        if (inDir) {
            ModelFiles.member(dirOrFile, "tokenizer.json", null);
        }
        // the native reader would block on a FIFO and read /dev/zero until the process dies
        ModelFiles.checkSize(file, ModelFiles.TOKENIZER_LIMIT);
        if (!Files.isReadable(file)) {
            throw new CheckpointException(file, "permission denied");
        }
        try {
            HuggingFaceTokenizer tok = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optTruncation(false)
                    .optPadding(false)
                    .optAddSpecialTokens(true)
                    .build();
            return new ModelTokenizer(tok, file, vocabSize);
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(file, "not a valid tokenizer: " + oneLine(e.getMessage()));
        }
    }

    /**
     * Token ids of {@code text} with special tokens, never truncated.
     *
     * @throws CheckpointException naming the file when the tokenizer cannot encode the text (e.g. its
     *         {@code unk_token} is not in its vocabulary and the text has a character the vocabulary lacks)
     */
    public int[] encode(String text) {
        Encoding enc;
        try {
            enc = tokenizer.encode(text, true, false);
        } catch (RuntimeException e) {
            // the native library reports a broken tokenizer.json only when a text needs the broken part
            throw new CheckpointException(file, "cannot encode a text: " + reason(e));
        }
        long[] ids = enc.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new CheckpointException(file, "token id " + ids[i] + " is not below vocab_size " + vocabSize
                        + " of config.json (is this the model's own tokenizer?)");
            }
            out[i] = (int) ids[i];
        }
        return out;
    }

    /** The text of {@code ids}, special tokens included as their text ({@code <|begin_of_text|>}). */
    public String decode(int[] ids) {
        return tokenizer.decode(longs(ids), false);
    }

    /**
     * The text of {@code ids} without special tokens, as lm-eval's {@code tok_decode} gives a generation to its
     * filters.
     */
    public String decodeWithoutSpecialTokens(int[] ids) {
        return tokenizer.decode(longs(ids), true);
    }

    private static long[] longs(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return l;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    /** The library's reason, without quoting the file: an unknown unk_token is named as such, not by its text. */
    private static String reason(RuntimeException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (m.startsWith("Unk token") && m.contains("not found")) {
            return "its unk_token is not in its vocabulary (a text has a character the vocabulary lacks)";
        }
        return "the tokenizer library failed (" + e.getClass().getSimpleName() + ")";
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
