package dev.flashcomm.eval.sweep;

import dev.flashcomm.eval.ppl.CorpusSource;
import java.nio.file.Path;
import java.util.Objects;

/** A perplexity corpus; its tokens depend on the model, so each {@link PreparedModel} holds its own. */
public record CorpusWorkload(CorpusSource corpus, String dataIdentity) implements Workload {

    public CorpusWorkload {
        Objects.requireNonNull(corpus, "corpus");
        Objects.requireNonNull(dataIdentity, "dataIdentity");
    }

    @Override
    public String name() {
        return corpus.task();
    }

    @Override
    public Path file() {
        return corpus.file();
    }
}
