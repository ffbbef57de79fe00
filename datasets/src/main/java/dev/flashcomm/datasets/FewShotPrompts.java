package dev.flashcomm.datasets;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts lm-eval's few-shot prefix in front of every context of the evaluated items (lm-eval's
 * {@code ConfigurableTask.fewshot_context} and {@code ContextSampler.sample} on its main branch; plain-text prompts,
 * no chat template). 0.4.9's {@code get_context} draws as many; it also removed the document from n draws, which
 * only lambada_openai meets (a document drawn for itself), leaving it n-1 examples where main keeps all n.
 *
 * <p>The random sampler is one {@link PythonRandom} seeded once per task load and advanced once per evaluated
 * document in file order, as lm-eval's {@code build_all_requests} does, so the examples of document i depend on the
 * documents before it, and a {@code --limit} run (the first N documents) gets the same prompts for those N as a full
 * run. How many one document consumes therefore matters to every later one.
 *
 * <p>lm-eval passes the evaluated document to its sampler when the config's {@code fewshot_split == test_split},
 * which holds for the tasks that set neither ({@link FewShotSplit#UNSET}: HellaSwag, PIQA, Winogrande, BoolQ,
 * COPA). The sampler then draws n+1 ({@code first_n}: takes the whole pool), removes the document if present, and
 * keeps the first n; so even with a train file as the pool every document consumes n+1 draws. The other tasks draw n
 * and remove nothing ({@link FewShotSplit#OTHER}, {@link FewShotSplit#EVALUATED}: lambada_openai, whose pool is its
 * one split, so a document can be its own example, as in lm-eval). {@link EvalDocMatch} says how the document is
 * recognised in the pool.
 *
 * <p>One deliberate difference: when a task whose lm-eval pool is another split ({@link FewShotSplit#OTHER}) is
 * given the evaluated file as its pool (no train file), each document is still left out of its own examples, with
 * n+1 drawn, so that no prompt holds its own answer. Such prompts are not lm-eval's in any case; nor are those of the
 * {@link FewShotSplit#UNSET} tasks without their train file.
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

    /** Whether the evaluated document is left out of its examples (lm-eval's {@code eval_doc=doc}, see above). */
    private boolean leavesEvalDocOut() {
        return switch (spec.fewshot().split()) {
            case UNSET -> true;
            case OTHER -> poolIsEvalFile;
            case EVALUATED -> false;
        };
    }

    /** The first {@code count} of {@code items} with their prompts (all of them when {@code count} is larger). */
    List<TaskItem> apply(List<TaskItem> items, int count, FewShotRequest request) {
        int shots = request.shots();
        FewShotSpec fs = spec.fewshot();
        boolean leaveOut = shots > 0 && leavesEvalDocOut();
        // Random.sample(pool, n + 1) refuses a smaller pool; first_n needs one more only when the document is in it.
        int needed = leaveOut && (fs.sampler() == FewShotSampler.RANDOM || poolIsEvalFile) ? shots + 1 : shots;
        if (needed > pool.size()) {
            throw DataException.in(poolFile, shots + "-shot prompts need " + needed + " examples"
                    + (needed > shots ? " (one more is drawn to leave the evaluated document out)" : "")
                    + " but the file holds " + pool.size());
        }
        EvalDocMatch match = leaveOut ? EvalDocMatch.forPool(spec.format(), poolIsEvalFile) : null;
        PythonRandom rnd = new PythonRandom(request.seed());
        int n = Math.min(count, items.size());
        List<TaskItem> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            TaskItem item = items.get(i);
            List<Integer> examples = shots == 0 ? List.of() : pick(rnd, item, shots, match, fs.sampler());
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

    /**
     * The pool positions of one document's examples. Without {@code match}: {@code rnd.sample(pool, n)} or the first
     * n. With it, as lm-eval's {@code rm_eval_doc}: whatever {@code match} finds to be the evaluated document is
     * removed from {@code rnd.sample(pool, n + 1)} (for {@code first_n}, from the whole pool), and the first n of the
     * rest are kept.
     */
    private List<Integer> pick(PythonRandom rnd, TaskItem doc, int shots, EvalDocMatch match,
                               FewShotSampler sampler) {
        List<Integer> kept = new ArrayList<>(shots + 1);
        if (sampler == FewShotSampler.FIRST_N) {
            for (int j = 0; j < pool.size() && kept.size() < shots; j++) {
                if (match == null || !match.matches(doc, pool.get(j))) {
                    kept.add(j);
                }
            }
        } else {
            for (int j : rnd.sample(pool.size(), match == null ? shots : shots + 1)) {
                if (match == null || !match.matches(doc, pool.get(j))) {
                    kept.add(j);
                }
            }
        }
        if (kept.size() < shots) {
            // only when the pool holds the document more than once; lm-eval's assert stops there too
            throw DataException.in(poolFile, "document " + doc.index() + " of the evaluated file leaves " + kept.size()
                    + " of its " + shots + " examples once its copies in this file are left out");
        }
        return List.copyOf(kept.subList(0, shots));
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
