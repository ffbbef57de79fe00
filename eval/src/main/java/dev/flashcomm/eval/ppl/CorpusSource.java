package dev.flashcomm.eval.ppl;

import dev.flashcomm.datasets.TextCorpus;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A perplexity corpus: a file and how to turn it into one text (WikiText's rows rule or the file as is).
 *
 * @param name     how result tables label it ({@code ppl:<name>})
 * @param wikitext apply the Hugging Face wikitext-2-raw rows rule
 */
public record CorpusSource(String name, Path file, boolean wikitext) {

    public CorpusSource {
        if (name == null || name.isBlank() || name.contains(",") || name.contains("=")) {
            throw new IllegalArgumentException("corpus name must be non-empty without ',' or '=': '" + name + "'");
        }
    }

    /** Names a file after its stem; {@code .raw} files (WikiText's release format) get the rows rule. */
    public static CorpusSource of(Path file, Boolean wikitextOrNull, String nameOrNull) {
        String fileName = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        boolean wiki = wikitextOrNull != null ? wikitextOrNull : fileName.toLowerCase(Locale.ROOT).endsWith(".raw");
        String name = nameOrNull;
        if (name == null) {
            int dot = fileName.lastIndexOf('.');
            name = dot > 0 ? fileName.substring(0, dot) : fileName;
        }
        return new CorpusSource(name, file, wiki);
    }

    public String task() {
        return "ppl:" + name;
    }

    public String text() {
        return wikitext ? TextCorpus.wikitextRaw(file) : TextCorpus.plainText(file);
    }
}
