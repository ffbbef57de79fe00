package dev.flashcomm.tp.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.flashcomm.tp.checkpoint.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model's {@code tokenizer.json} through DJL's HuggingFaceTokenizer. Truncation is switched off explicitly:
 * DJL otherwise cuts every encoding at {@code model_max_length}, which silently turns a whole corpus into one
 * window. Special tokens are added as the tokenizer's post-processor defines (Llama: BOS; Qwen: nothing).
 */
public final class ModelTokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;

    private ModelTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Loads {@code tokenizer.json} from a model directory (or a tokenizer.json path). The caller closes it. */
    public static ModelTokenizer load(Path dirOrFile) {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("tokenizer.json") : dirOrFile;
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file, "not found (a Hugging Face tokenizer.json is required)");
        }
        if (!Files.isReadable(file)) {
            throw new CheckpointException(file, "not readable");
        }
        try {
            HuggingFaceTokenizer tok = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optTruncation(false)
                    .optPadding(false)
                    .optAddSpecialTokens(true)
                    .build();
            return new ModelTokenizer(tok);
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(file, "not a valid tokenizer: " + oneLine(e.getMessage()));
        }
    }

    /** Token ids of {@code text} with special tokens, never truncated. */
    public int[] encode(String text) {
        Encoding enc = tokenizer.encode(text, true, false);
        long[] ids = enc.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    public String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return tokenizer.decode(l, false);
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
