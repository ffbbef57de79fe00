package dev.flashcomm.eval.tasks;

import dev.flashcomm.datasets.GenerationScoring;
import dev.flashcomm.datasets.GenerationSpec;
import dev.flashcomm.datasets.Metric;
import dev.flashcomm.datasets.OutputType;
import dev.flashcomm.datasets.TaskItem;
import dev.flashcomm.datasets.TaskSpec;
import dev.flashcomm.eval.InputException;
import dev.flashcomm.eval.Progress;
import dev.flashcomm.eval.lm.Generation;
import dev.flashcomm.eval.lm.GenerationRequest;
import dev.flashcomm.eval.lm.Generator;
import dev.flashcomm.eval.lm.ScoringModel;
import dev.flashcomm.tp.comm.Communicator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Scores a {@link OutputType#GENERATE_UNTIL} task (GSM8K) as lm-eval's Hugging Face model does: each item's
 * context, tokenized as our log-likelihood tasks are (the tokenizer's special tokens on, docs/tasks.md), is
 * left-truncated to {@code max_length - max_gen_toks} tokens and continued greedily until one of the task's stop
 * strings or the model's EOS (whose text lm-eval adds to {@code until}) or {@code max_gen_toks} new tokens; the new
 * tokens' text without special tokens, cut at the stop strings, is scored by every metric's filter and exact match.
 */
public final class GenerateUntilScorer {

    private final int batch;

    /** @param batch prompts decoded together; the tokens do not depend on it with exact communication */
    public GenerateUntilScorer(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        this.batch = batch;
    }

    /**
     * Generates for every item of {@code spec} on {@code model}, the TP ranks combined by {@code comm}.
     *
     * @throws InputException naming the task when {@code max_gen_toks} leaves no room for a prompt
     */
    public TaskResult score(TaskSpec spec, List<TaskItem> items, ScoringModel model, Communicator comm,
                            Progress progress) {
        Optional<String> eosText = model.model().config().eosTokenId().stream()
                .mapToObj(id -> model.tokenizer().decode(new int[] {id})).filter(s -> !s.isEmpty()).findFirst();
        List<GenerationRequest> requests = requests(spec, items, model.tokenizer()::encode, model.maxLength(),
                eosText);
        long start = System.nanoTime();
        List<Generation> generations = new Generator(model, batch).generate(requests, comm, progress);
        return result(spec, items, generations, model.tokenizer()::decodeWithoutSpecialTokens,
                (System.nanoTime() - start) / 1e9);
    }

    /**
     * One request per item: its context's tokens, the oldest ones dropped beyond {@code maxLength - max_gen_toks},
     * stopping at the task's strings, the EOS text and the EOS token.
     */
    static List<GenerationRequest> requests(TaskSpec spec, List<TaskItem> items, Function<String, int[]> tokenizer,
                                            int maxLength, Optional<String> eosText) {
        requireGenerationTask(spec);
        GenerationSpec g = spec.generation();
        int room = maxLength - g.maxGenTokens();
        if (room < 1) {
            throw new InputException(spec.name() + ": max_gen_toks " + g.maxGenTokens() + " leaves no room for a "
                    + "prompt in the model's " + maxLength + " positions");
        }
        Set<String> until = new LinkedHashSet<>(g.until());
        eosText.ifPresent(until::add);
        List<String> stops = until.stream().filter(s -> !s.isEmpty()).toList();
        List<GenerationRequest> out = new ArrayList<>(items.size());
        for (TaskItem item : items) {
            int[] ids = tokenizer.apply(item.goldChoice().context());
            if (ids.length == 0) {
                throw new InputException(spec.name() + " item " + item.index() + ": the context encodes to no tokens");
            }
            int[] kept = ids.length > room ? Arrays.copyOfRange(ids, ids.length - room, ids.length) : ids;
            out.add(new GenerationRequest(kept, g.maxGenTokens(), stops, true));
        }
        return out;
    }

    /**
     * Scores {@code generations} (in item order) under every metric of {@code spec}. Each response is its new tokens
     * decoded by {@code responseText} (lm-eval's {@code tok_decode}, special tokens skipped, so an EOS or BOS the
     * model emits never reaches a filter), cut at the task's stop strings.
     */
    static TaskResult result(TaskSpec spec, List<TaskItem> items, List<Generation> generations,
                             Function<int[], String> responseText, double seconds) {
        requireGenerationTask(spec);
        if (generations.size() != items.size()) {
            throw new IllegalArgumentException(items.size() + " items but " + generations.size() + " generations");
        }
        List<ItemOutcome> outcomes = new ArrayList<>(items.size());
        long tokens = 0;
        for (int i = 0; i < items.size(); i++) {
            TaskItem item = items.get(i);
            Generation gen = generations.get(i);
            String response = spec.generation().truncate(responseText.apply(gen.newIds()));
            Map<Metric, Double> scores = new EnumMap<>(Metric.class);
            for (Metric m : spec.metrics()) {
                scores.put(m, GenerationScoring.score(m, response, item));
            }
            outcomes.add(new GenerationOutcome(item.index(), gen, response, scores));
            tokens += gen.promptIds().length + gen.newIds().length;
        }
        List<MetricValue> metrics = new ArrayList<>(spec.metrics().size());
        for (Metric m : spec.metrics()) {
            metrics.add(MetricValue.aggregate(m, outcomes.stream().mapToDouble(o -> o.value(m)).toArray()));
        }
        return new TaskResult(spec.name(), spec.version(), metrics, outcomes, items.size(), tokens, seconds);
    }

    private static void requireGenerationTask(TaskSpec spec) {
        if (spec.type() != OutputType.GENERATE_UNTIL) {
            throw new IllegalArgumentException(spec.name() + " is a " + spec.type() + " task, not GENERATE_UNTIL");
        }
    }
}
