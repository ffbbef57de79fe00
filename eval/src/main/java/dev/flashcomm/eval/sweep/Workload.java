package dev.flashcomm.eval.sweep;

import java.nio.file.Path;

/** What one cell measures: a task, a perplexity corpus or a generation-agreement task, already read and checked. */
public sealed interface Workload permits TaskWorkload, CorpusWorkload, GenerationWorkload {

    /** The TASK column of its rows: a task name ({@code piqa}) or {@code ppl:<corpus>}. */
    String name();

    /** The file that errors about this workload name. */
    Path file();

    /** SHA-256 of the data files, so a cache entry never outlives an edit of the data. */
    String dataIdentity();
}
