package dev.flashcomm.eval.tasks;

import dev.flashcomm.datasets.Choice;
import dev.flashcomm.datasets.Metric;
import dev.flashcomm.datasets.OutputType;
import dev.flashcomm.datasets.TaskItem;
import dev.flashcomm.datasets.TaskSpec;
import dev.flashcomm.eval.InputException;
import dev.flashcomm.eval.Progress;
import dev.flashcomm.eval.lm.ScoringModel;
import dev.flashcomm.tp.comm.Communicator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Scores a log-likelihood task with lm-eval semantics (docs/tasks.md): one log-likelihood request per choice, identical
 * (context, continuation) pairs scored once, batches longest first, then {@code acc}/{@code acc_norm} for multiple
 * choice and greedy {@code acc}/{@code perplexity} for a target continuation.
 */
public final class TaskScorer {

    private static final Map<OutputType, Set<Metric>> SUPPORTED = Map.of(
            OutputType.MULTIPLE_CHOICE, Set.of(Metric.ACC, Metric.ACC_NORM),
            OutputType.GREEDY_CONTINUATION, Set.of(Metric.ACC, Metric.PERPLEXITY));

    private final BatchedLoglikelihood batches;
    private final OptionalInt prefixToken;

    /**
     * @param batch       sequences per forward pass; the numbers do not depend on it
     * @param prefixToken stands in for an empty context when the tokenizer adds no BOS (see {@link RequestEncoder})
     */
    public TaskScorer(int batch, OptionalInt prefixToken) {
        this.batches = new BatchedLoglikelihood(batch);
        this.prefixToken = Objects.requireNonNull(prefixToken, "prefixToken");
    }

    public TaskScorer(int batch) {
        this(batch, OptionalInt.empty());
    }

    /** Scores {@code items} of {@code spec} on {@code model}, the TP ranks combined by {@code comm}. */
    public TaskResult score(TaskSpec spec, List<TaskItem> items, ScoringModel model, Communicator comm,
                            Progress progress) {
        RequestEncoder encoder = new RequestEncoder(model.tokenizer()::encode, model.maxLength(), prefixToken);
        return score(spec, items, encoder, sequences -> model.score(sequences, comm), progress);
    }

    /**
     * The same with the tokenizer and model as plain functions; {@code encoder} should be fresh, as it caches
     * contexts.
     *
     * @throws InputException naming the task, item and choice of a request that cannot be scored
     */
    public TaskResult score(TaskSpec spec, List<TaskItem> items, RequestEncoder encoder, SequenceScorer scorer,
                            Progress progress) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException(spec.name() + ": no items to score");
        }
        if (!SUPPORTED.containsKey(spec.type())) {
            throw new IllegalArgumentException(spec.name() + " is a " + spec.type() + " task: score it with "
                    + GenerateUntilScorer.class.getSimpleName());
        }
        for (Metric m : spec.metrics()) {
            if (!SUPPORTED.get(spec.type()).contains(m)) {
                throw new IllegalArgumentException(spec.name() + ": metric " + m.id() + " is not defined for "
                        + spec.type());
            }
        }
        Map<RequestText, Integer> distinct = new LinkedHashMap<>();
        List<EncodedRequest> encoded = new ArrayList<>();
        int[][] requestOf = new int[items.size()][];
        for (int i = 0; i < items.size(); i++) {
            TaskItem item = items.get(i);
            if (spec.type() == OutputType.GREEDY_CONTINUATION && item.choices().size() != 1) {
                throw new IllegalArgumentException(spec.name() + " item " + item.index()
                        + ": a target-continuation task needs one choice, got " + item.choices().size());
            }
            requestOf[i] = new int[item.choices().size()];
            for (int c = 0; c < requestOf[i].length; c++) {
                Choice choice = item.choices().get(c);
                RequestText text = RequestText.of(choice);
                Integer id = distinct.get(text);
                if (id == null) {
                    id = encoded.size();
                    distinct.put(text, id);
                    encoded.add(encode(encoder, text, spec, item, c));
                }
                requestOf[i][c] = id;
            }
        }
        long start = System.nanoTime();
        List<RequestScore> scores = batches.run(encoded, scorer, progress);
        double seconds = (System.nanoTime() - start) / 1e9;
        long tokens = encoded.stream().mapToLong(EncodedRequest::length).sum();
        List<ItemOutcome> outcomes = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            outcomes.add(outcome(spec.type(), items.get(i), requestOf[i], scores));
        }
        List<MetricValue> metrics = new ArrayList<>(spec.metrics().size());
        for (Metric m : spec.metrics()) {
            metrics.add(MetricValue.aggregate(m, outcomes.stream().mapToDouble(o -> o.value(m)).toArray()));
        }
        return new TaskResult(spec.name(), spec.version(), metrics, outcomes, encoded.size(), tokens, seconds);
    }

    private static EncodedRequest encode(RequestEncoder encoder, RequestText text, TaskSpec spec, TaskItem item,
                                         int choice) {
        try {
            return encoder.encode(text);
        } catch (InputException e) {
            throw new InputException(spec.name() + " item " + item.index() + ", choice " + choice + ": "
                    + e.getMessage());
        }
    }

    private static ItemOutcome outcome(OutputType type, TaskItem item, int[] requests, List<RequestScore> scores) {
        if (type == OutputType.GREEDY_CONTINUATION) {
            RequestScore s = scores.get(requests[0]);
            return new ContinuationOutcome(item.index(), s.logLikelihood(), s.greedy(), s.continuationTokens());
        }
        int n = requests.length;
        double[] lls = new double[n];
        int[] tokens = new int[n];
        boolean[] greedy = new boolean[n];
        int[] normLengths = new int[n];
        for (int c = 0; c < n; c++) {
            RequestScore s = scores.get(requests[c]);
            lls[c] = s.logLikelihood();
            tokens[c] = s.continuationTokens();
            greedy[c] = s.greedy();
            normLengths[c] = item.choices().get(c).normLength();
        }
        return ChoiceOutcome.of(item.index(), lls, tokens, greedy, normLengths, item.gold());
    }
}
