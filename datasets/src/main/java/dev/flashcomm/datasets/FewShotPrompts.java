package dev.flashcomm.datasets;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts lm-eval's few-shot prefix in front of every context of the evaluated items (lm-eval 0.4.9's
 * {@code ConfigurableTask.fewshot_context} and {@code ContextSampler.get_context}, plain-text prompts, no chat
 * template).
 *
 * <p>The random sampler is one {@link PythonRandom} seeded once per task load and advanced once per evaluated
 * document in file order, as lm-eval's {@code build_all_requests} does, so the examples of document i depend on the
 * documents before it, and a {@code --limit} run (the first N documents) gets the same prompts for those N as a full
 * run.
 *
 * <p>When the pool is the evaluated file itself, lm-eval's rule for {@code fewshot_split == test_split} applies: draw
 * n+1 (the random sampler) or take the first n+1 ({@code first_n}), drop the evaluated document, keep the first n.
 * The evaluated document is recognised by its position; lm-eval compares the documents' fields, which differs only
 * for a file holding the same document twice. A task of ours with no few-shot file is evaluated on a split that
 * lm-eval would not draw from (piqa, ARC, HellaSwag, ... draw from their train split), so its examples then are
 * <em>not</em> lm-eval's; pass the train file to get them. lambada_openai has only its test split in lm-eval, which
 * draws n from it (no extra draw) and may then drop the document itself; we apply the n+1 rule instead, so that
 * every document gets n examples.
 */
final class FewShotPrompts {
    private final TaskSpec spec;
    private final List<TaskItem> pool;
    private final Path poolFile;
    private final boolean poolIsEvalFile;

    FewShotPrompts(TaskSpec spec, List<TaskItem> pool, Path poolFile, boolean poolIsEvalFile) {
        this.spec = spec;
        this.pool = List.copyOf(pool);
        this.poolFile = poolFile;
        this.poolIsEvalFile = poolIsEvalFile;
    }

    /** The first {@code count} of {@code items} with their prompts (all of them when {@code count} is larger). */
    List<TaskItem> apply(List<TaskItem> items, int count, FewShotRequest request) {
        int shots = request.shots();
        int needed = poolIsEvalFile && shots > 0 ? shots + 1 : shots;
        if (needed > pool.size()) {
            throw DataException.in(poolFile, request.shots() + "-shot prompts need " + needed + " examples"
                    + (poolIsEvalFile ? " (the evaluated document is left out)" : "") + " but the file holds "
                    + pool.size());
        }
        FewShotSpec fs = spec.fewshot();
        PythonRandom rnd = new PythonRandom(request.seed());
        int n = Math.min(count, items.size());
        List<TaskItem> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            TaskItem item = items.get(i);
            List<Integer> examples = shots == 0 ? List.of() : pick(rnd, item.index(), shots, needed, fs.sampler());
            StringBuilder prefix = new StringBuilder(fs.description());
            for (int e : examples) {
                prefix.append(example(pool.get(e))).append(fs.fewshotDelimiter());
            }
            String head = prefix.toString();
            List<Choice> choices = item.choices().stream()
                    .map(c -> new Choice(head + c.context(), c.continuation(), c.normLength())).toList();
            out.add(new TaskItem(item.index(), choices, item.gold(), examples));
        }
        return out;
    }

    private List<Integer> pick(PythonRandom rnd, int evalIndex, int shots, int needed, FewShotSampler sampler) {
        List<Integer> picked = new ArrayList<>(shots);
        if (sampler == FewShotSampler.FIRST_N) {
            for (int j = 0; j < needed; j++) {
                picked.add(j);
            }
        } else {
            for (int j : rnd.sample(pool.size(), needed)) {
                picked.add(j);
            }
        }
        if (poolIsEvalFile) {
            picked.remove(Integer.valueOf(evalIndex));
        }
        return List.copyOf(picked.subList(0, shots));
    }

    /**
     * {@code doc_to_text + target_delimiter + doc_to_target} of a pool item. Multiple-choice and generation items
     * already start their continuations with the target delimiter (for Winogrande the gold option's own context,
     * for COPA the two spaces); a log-likelihood target (lambada's {@code " " + word}) gets the delimiter in front
     * of its own space, so lm-eval's example reads {@code "...context  word"}.
     */
    private String example(TaskItem item) {
        Choice gold = item.goldChoice();
        String delimiter = spec.type() == OutputType.GREEDY_CONTINUATION ? spec.fewshot().targetDelimiter() : "";
        return gold.context() + delimiter + gold.continuation();
    }
}
