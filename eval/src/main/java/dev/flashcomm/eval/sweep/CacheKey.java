package dev.flashcomm.eval.sweep;

import dev.flashcomm.datasets.TaskItem;
import dev.flashcomm.eval.ToolVersion;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a cell's result depends on, and the SHA-256 of it that names the cell's cache file: the tool version, the
 * model's and the data's identities (contents, never paths), the task and its version, the batch, the TP degree, the
 * communication format, path, scope, implementation and every other resolved communication setting, the compute dtype and the devices, and the settings of the
 * cell's own kind only: a task cell keys on {@code --limit} and its protocol (shots, few-shot seed, generation cap;
 * the few-shot file's content is in its data identity, and with shots the examples each item drew), a perplexity
 * cell on its window length and {@code --max-windows}, an agreement cell on {@code --limit},
 * {@code --max-new-tokens} (in its protocol) and the baseline's settings (its prompts file's SHA-256 is its data identity), so changing one never re-measures another
 * kind. Batch size and device move float results
 * in their last bits only, but a resumed sweep must give exactly the numbers a fresh one gives, so they are part of
 * the key too.
 *
 * @param ingredients the key's parts by name; kept in the cache file so an entry can be checked and read by people
 */
public record CacheKey(SortedMap<String, String> ingredients) {

    public CacheKey {
        if (ingredients.isEmpty()) {
            throw new IllegalArgumentException("a cache key needs ingredients");
        }
        ingredients = Collections.unmodifiableSortedMap(new TreeMap<>(ingredients));
    }

    public static CacheKey of(Cell cell, SweepConfig config) {
        SortedMap<String, String> k = new TreeMap<>();
        k.put("tool_version", ToolVersion.VERSION);
        k.put("model", cell.model().identity());
        k.put("data", cell.workload().dataIdentity());
        k.put("batch", config.batch().toString());
        k.put("tp", Integer.toString(cell.tp()));
        if (cell.model().config().moe() != null) {
            k.put("moe_parallel", config.experts().parallel().id());
        }
        k.put("comm", cell.comm().format().name());
        k.put("comm_settings", cell.comm().describe());
        k.put("comm_path", cell.commPath());
        k.put("scope", cell.comm().scope().describe());
        k.put("dtype", config.dtypeName());
        k.put("device", config.device().strip());
        k.put("comm_impl", config.commImplName());
        k.put("task", cell.workload().name());
        if (cell.workload() instanceof TaskWorkload t) {
            k.put("task_version", Integer.toString(t.source().spec().version()));
            k.put("protocol", t.source().protocol());
            k.put("limit", config.limit().toString());
            if (t.source().fewshot().shots() > 0) {
                // The pool's content is in "data", but which of its documents a prompt draws is the sampler's rule,
                // which a build of the same version can change (n+1 draws for HellaSwag, PIQA, ...): a resumed
                // sweep must not reuse cells measured on other prompts.
                k.put("fewshot_examples", fewshotExamples(t.items()));
            }
        } else if (cell.workload() instanceof GenerationWorkload) {
            // its values are agreement with the baseline, so they depend on the baseline's settings too
            k.put("task_version", Integer.toString(CellRunner.AGREEMENT_VERSION));
            k.put("protocol", CellRunner.agreementProtocol(config.maxNewTokens()));
            k.put("limit", config.limit().toString());
            k.put("baseline", config.baselineSettings().map(b -> b.describe()).orElse(""));
        } else if (cell.workload() instanceof CorpusWorkload c) {
            k.put("wikitext_rows", Boolean.toString(c.corpus().wikitext()));
            k.put("protocol", CellRunner.pplProtocol(cell.model().seqLen()));
            k.put("max_windows", config.maxWindows().toString());
        }
        return new CacheKey(k);
    }

    /** Hex SHA-256 over every item's example positions, in item order. */
    private static String fewshotExamples(List<TaskItem> items) {
        MessageDigest d = Sha256.newDigest();
        for (TaskItem item : items) {
            Sha256.field(d, item.index() + ":" + item.fewshotExamples());
        }
        return Sha256.hex(d);
    }

    /** Hex SHA-256 over the ingredients. */
    public String hash() {
        MessageDigest d = Sha256.newDigest();
        for (Map.Entry<String, String> e : ingredients.entrySet()) {
            Sha256.field(d, e.getKey());
            Sha256.field(d, e.getValue());
        }
        return Sha256.hex(d);
    }
}
