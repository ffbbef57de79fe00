package dev.flashcomm.eval.sweep;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.flashcomm.datasets.AnswerFilter;
import dev.flashcomm.datasets.Choice;
import dev.flashcomm.datasets.GenerationScoring;
import dev.flashcomm.datasets.Metric;
import dev.flashcomm.datasets.TaskItem;
import dev.flashcomm.eval.tasks.ChoiceOutcome;
import dev.flashcomm.eval.tasks.ContinuationOutcome;
import dev.flashcomm.eval.tasks.GenerationOutcome;
import dev.flashcomm.eval.tasks.ItemOutcome;
import dev.flashcomm.eval.tasks.TaskResult;
import dev.flashcomm.results.AtomicFiles;
import dev.flashcomm.results.ResultsException;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code --log-samples}: every scored task item of a cell as one JSON line in {@code OUT/samples/CELL.jsonl}, what
 * lm-eval's {@code --log_samples} writes, for looking at what a format changed item by item. A line holds the
 * item's context and continuations, every choice's log-likelihood and greediness, the prediction, the gold answer
 * and the item's metric values (a target-continuation item such as LAMBADA's says instead whether the greedy
 * continuation is the target), and, for tools written for lm-eval's samples files, the same in its keys:
 * {@code doc_id}, {@code arguments} ({@code gen_args_i: {arg_0: context, arg_1: continuation}}), {@code resps},
 * {@code filtered_resps} ({@code [loglikelihood, is_greedy]} per choice) and {@code target}. Every task item's line
 * names its few-shot examples ({@code fewshot_examples}: their positions in the pool's file, empty at 0 shots).
 * Perplexity cells have no items in this sense (their per-window NLLs are in items.csv).
 */
public final class SampleLog {

    public static final String DIR = "samples";
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues()
            .create();

    private final Path dir;

    /** @param outDir the sweep's {@code --out}; samples go to its {@code samples/} */
    public SampleLog(Path outDir) {
        this.dir = outDir.resolve(DIR);
    }

    /** {@code samples/llama3-tiny_tp2_int4-asym-g128_piqa.jsonl}; a non-fake path is part of the name. */
    public Path file(Cell cell) {
        String path = cell.commPath().equals("fake") ? "" : "_" + cell.commPath();
        String name = cell.model().name() + "_tp" + cell.tp() + "_" + cell.comm().label() + path + "_"
                + cell.workload().name();
        return dir.resolve(name.replaceAll("[^A-Za-z0-9._@=+-]", "-") + ".jsonl");
    }

    /** Whether the cell's samples are on disk, so a cached cell need not be measured again to log them. */
    public boolean has(Cell cell) {
        return Files.isRegularFile(file(cell));
    }

    /**
     * Writes one line per item of {@code result}, atomically.
     *
     * @throws dev.flashcomm.eval.InputException naming the directory when it cannot be written
     */
    public void write(Cell cell, TaskWorkload task, TaskResult result) {
        Map<Integer, TaskItem> items = task.items().stream()
                .collect(Collectors.toMap(TaskItem::index, Function.identity()));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new dev.flashcomm.eval.InputException(dir + ": cannot create the samples directory: "
                    + e.getMessage());
        }
        try {
            AtomicFiles.write(file(cell), out -> {
                Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
                for (ItemOutcome outcome : result.items()) {
                    w.write(GSON.toJson(line(cell, items.get(outcome.item()), outcome, result)));
                    w.write('\n');
                }
                w.flush();
            });
        } catch (ResultsException e) {
            throw new dev.flashcomm.eval.InputException(e.getMessage());
        }
    }

    static JsonObject line(Cell cell, TaskItem item, ItemOutcome outcome, TaskResult result) {
        JsonObject o = new JsonObject();
        o.addProperty("doc_id", item.index());
        o.addProperty("task", result.task());
        o.addProperty("model", cell.model().name());
        o.addProperty("tp", cell.tp());
        o.addProperty("comm", cell.comm().label());
        o.addProperty("comm_path", cell.commPath());
        if (outcome instanceof GenerationOutcome g) {
            return generationLine(o, item, g, result);
        }
        List<Choice> choices = item.choices();
        boolean shared = choices.stream().map(Choice::context).distinct().count() == 1;
        JsonArray contexts = new JsonArray();
        JsonArray continuations = new JsonArray();
        JsonObject arguments = new JsonObject();
        for (int c = 0; c < choices.size(); c++) {
            contexts.add(choices.get(c).context());
            continuations.add(choices.get(c).continuation());
            JsonObject args = new JsonObject();
            args.addProperty("arg_0", choices.get(c).context());
            args.addProperty("arg_1", choices.get(c).continuation());
            arguments.add("gen_args_" + c, args);
        }
        if (shared) {
            o.addProperty("context", choices.get(0).context());
        } else {
            o.add("context", contexts); // e.g. Winogrande: the choice is in the context
        }
        o.add("continuations", continuations);
        double[] lls;
        boolean[] greedy;
        if (outcome instanceof ChoiceOutcome c) {
            lls = c.logLikelihoods();
            greedy = c.greedy();
            o.addProperty("prediction", c.pred());
            o.addProperty("prediction_norm", c.predNorm());
        } else {
            ContinuationOutcome t = (ContinuationOutcome) outcome;
            lls = new double[] {t.logLikelihood()};
            greedy = new boolean[] {t.greedy()};
            o.addProperty("greedy_match", t.greedy()); // the target is the prediction exactly when greedy
        }
        JsonArray ll = new JsonArray();
        JsonArray isGreedy = new JsonArray();
        JsonArray resps = new JsonArray();
        JsonArray filtered = new JsonArray();
        for (int c = 0; c < lls.length; c++) {
            ll.add(lls[c]);
            isGreedy.add(greedy[c]);
            JsonArray pair = new JsonArray();
            pair.add(lls[c]);
            pair.add(greedy[c]);
            filtered.add(pair);
            JsonArray wrapped = new JsonArray();
            wrapped.add(pair);
            resps.add(wrapped);
        }
        o.add("loglikelihoods", ll);
        o.add("is_greedy", isGreedy);
        o.addProperty("gold", item.gold());
        for (var m : result.metrics()) {
            Metric metric = m.metric();
            o.addProperty(metric.id(), outcome.value(metric));
        }
        o.add("arguments", arguments);
        o.add("resps", resps);
        o.add("filtered_resps", filtered);
        o.addProperty("target", Integer.toString(item.gold()));
        o.add("fewshot_examples", fewshotExamples(item));
        return o;
    }

    /**
     * The positions, in the few-shot pool's file, of the examples in front of the item's contexts, in prompt order
     * (empty at 0 shots): which documents a prompt used, without parsing them back out of it.
     */
    private static JsonArray fewshotExamples(TaskItem item) {
        JsonArray examples = new JsonArray();
        item.fewshotExamples().forEach(examples::add);
        return examples;
    }

    /**
     * A generation item as lm-eval logs one: the prompt, the raw response ({@code resps}), what each metric's filter
     * kept of it ({@code filtered_resps}, by filter name), the reference and the scores.
     */
    private static JsonObject generationLine(JsonObject o, TaskItem item, GenerationOutcome g, TaskResult result) {
        o.addProperty("context", item.goldChoice().context());
        JsonArray resps = new JsonArray();
        JsonArray raw = new JsonArray();
        raw.add(g.response());
        resps.add(raw);
        o.add("resps", resps);
        JsonObject filtered = new JsonObject();
        for (var m : result.metrics()) {
            AnswerFilter filter = GenerationScoring.filterOf(m.metric());
            filtered.addProperty(filter.lmEvalName(), filter.apply(g.response()));
        }
        o.add("filtered_resps", filtered);
        o.addProperty("new_tokens", g.generation().newIds().length);
        o.addProperty("stop_reason", g.generation().stopReason().id());
        o.addProperty("target", GenerationScoring.reference(item));
        for (var m : result.metrics()) {
            o.addProperty(m.metric().id(), g.value(m.metric()));
        }
        o.add("fewshot_examples", fewshotExamples(item));
        return o;
    }
}
