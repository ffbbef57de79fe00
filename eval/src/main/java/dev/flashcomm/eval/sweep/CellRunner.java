package dev.flashcomm.eval.sweep;

import dev.flashcomm.datasets.Metric;
import dev.flashcomm.datasets.OutputType;
import dev.flashcomm.datasets.TaskSpec;
import dev.flashcomm.eval.InputException;
import dev.flashcomm.eval.Progress;
import dev.flashcomm.eval.ToolVersion;
import dev.flashcomm.eval.lm.Generation;
import dev.flashcomm.eval.lm.GenerationRequest;
import dev.flashcomm.eval.lm.Generator;
import dev.flashcomm.eval.lm.ScoringModel;
import dev.flashcomm.eval.ppl.PerplexityProtocol;
import dev.flashcomm.eval.ppl.PerplexityResult;
import dev.flashcomm.eval.ppl.PerplexityRun;
import dev.flashcomm.eval.ppl.RoutingTrace;
import dev.flashcomm.eval.tasks.GenerateUntilScorer;
import dev.flashcomm.eval.tasks.GenerationAgreement;
import dev.flashcomm.eval.tasks.MetricValue;
import dev.flashcomm.eval.tasks.TaskResult;
import dev.flashcomm.eval.tasks.TaskScorer;
import dev.flashcomm.results.CellKey;
import dev.flashcomm.results.CommErrorRow;
import dev.flashcomm.results.ItemScore;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.tp.comm.CommSettings;
import dev.flashcomm.tp.comm.Communicator;
import dev.flashcomm.tp.comm.SiteErrors;
import dev.flashcomm.tp.comm.TrafficMeter;
import dev.flashcomm.tp.model.MoeParallel;
import dev.flashcomm.tp.tokenizer.ModelTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Measures one cell on a loaded model and turns the measurement into result rows and per-item scores: the one place
 * result rows are built, for {@code sweep}, {@code demo} and {@code ppl} alike.
 */
final class CellRunner {

    /** Version of the agreement task's definition (greedy decoding, first-divergence rule); its TASK_VERSION. */
    static final int AGREEMENT_VERSION = 1;

    private final SweepConfig config;
    private final boolean diagnostics;
    private final SampleLog samples;
    private final BaselineRouting baselineRouting = new BaselineRouting();

    /**
     * @param diagnostics   also record each perplexity cell's per layer and site communication error
     * @param samplesOrNull where task cells log their items ({@code --log-samples}), or null
     */
    CellRunner(SweepConfig config, boolean diagnostics, SampleLog samplesOrNull) {
        this.config = config;
        this.diagnostics = diagnostics;
        this.samples = samplesOrNull;
    }

    static String pplProtocol(int seqLen) {
        return new PerplexityProtocol(seqLen, 1).describe();
    }

    /**
     * @param lm    the cell's model, loaded at the cell's TP degree
     * @param batch sequences per forward pass ({@code --batch}, or what auto chose for this model)
     * @throws InputException naming the workload's file when one of its items cannot be scored
     */
    CellResult measure(Cell cell, ScoringModel lm, int batch, Progress progress, BaselineGenerations baselines) {
        if (cell.workload() instanceof CorpusWorkload corpus) {
            return perplexity(cell, corpus, lm, batch, progress);
        }
        if (cell.workload() instanceof GenerationWorkload prompts) {
            return agreement(cell, prompts, lm, batch, progress, baselines);
        }
        return task(cell, (TaskWorkload) cell.workload(), lm, batch, progress);
    }

    /** {@code greedy max_new_tokens=N}: the PROTOCOL of agreement rows. */
    static String agreementProtocol(int maxNewTokens) {
        return "greedy max_new_tokens=" + maxNewTokens;
    }

    /**
     * Generates greedily for every prompt and compares each continuation with the baseline's. BYTES_PER_FORWARD is
     * what the busiest rank sent per prompt, its prefill and every decode step together.
     */
    private CellResult agreement(Cell cell, GenerationWorkload prompts, ScoringModel lm, int batch, Progress progress,
                                 BaselineGenerations baselines) {
        TrafficMeter meter = new TrafficMeter();
        long start = System.nanoTime();
        List<Generation> generations = generate(cell, prompts, lm, batch, meter, progress);
        double seconds = (System.nanoTime() - start) / 1e9;
        List<Generation> baseline = baselines.isBaseline(cell) ? generations
                : baselines.of(cell, base -> generate(base, prompts, lm, batch, new TrafficMeter(), Progress.NONE));
        GenerationAgreement agreement = GenerationAgreement.of(baseline, generations);
        long bytesPerForward = meter.snapshot().maxRankBytes() / generations.size();
        String settings = "max_new_tokens=" + config.maxNewTokens() + ";batch=" + batch + ";limit=" + config.limit()
                + ";baseline=" + config.baselineLabel().orElse("") + common(cell);
        List<ResultRow> rows = new ArrayList<>();
        Map<CellKey, List<ItemScore>> items = new LinkedHashMap<>();
        for (String metric : List.of(GenerationAgreement.AGREEMENT, GenerationAgreement.FIRST_DIVERGENCE)) {
            double[] perItem = metric.equals(GenerationAgreement.AGREEMENT) ? agreement.agree()
                    : agreement.firstDivergence();
            ResultRow row = ResultRow.measured(cell.model().name(), cell.tp(), cell.comm().label(), cell.commPath(),
                    prompts.name(), metric, Arrays.stream(perItem).average().orElseThrow(),
                    MetricValue.standardErrorOfMean(perItem), perItem.length, bytesPerForward, seconds,
                    agreementProtocol(config.maxNewTokens()), AGREEMENT_VERSION, settings, ToolVersion.VERSION);
            rows.add(row);
            List<ItemScore> scores = new ArrayList<>(perItem.length);
            for (int i = 0; i < perItem.length; i++) {
                scores.add(new ItemScore(i, perItem[i], 1));
            }
            items.put(row.cell(), scores);
        }
        return new CellResult(rows, items, List.of(), true, generations);
    }

    private List<Generation> generate(Cell cell, GenerationWorkload prompts, ScoringModel lm, int batch,
                                      TrafficMeter meter, Progress progress) {
        try {
            return new Generator(lm, batch).generate(requests(prompts.prompts(), lm.tokenizer(),
                    config.maxNewTokens()), lm.openCommunicator(cell.comm(), meter, null), progress);
        } catch (InputException e) {
            throw new InputException(prompts.file() + ": " + e.getMessage());
        }
    }

    /**
     * One request per prompt, tokenized exactly as the tokenizer does (its own BOS, nothing cut), with no stop: an
     * agreement continuation always has {@code maxNewTokens} tokens.
     */
    static List<GenerationRequest> requests(List<String> prompts, ModelTokenizer tokenizer, int maxNewTokens) {
        return prompts.stream().map(p -> GenerationRequest.of(tokenizer.encode(p), maxNewTokens)).toList();
    }

    private CellResult perplexity(Cell cell, CorpusWorkload corpus, ScoringModel lm, int batch, Progress progress) {
        int seqLen = cell.model().seqLen();
        PerplexityProtocol protocol = new PerplexityProtocol(seqLen, batch);
        long start = System.nanoTime();
        int[] ids = cell.model().ids(corpus.corpus().name());
        RoutingTrace routing = diagnostics && cell.model().config().moe() != null ? new RoutingTrace() : null;
        PerplexityRun run = PerplexityRun.measure(protocol, lm, cell.comm(), ids, corpus.file().toString(), progress,
                diagnostics, routing);
        double seconds = (System.nanoTime() - start) / 1e9;
        PerplexityResult r = run.result();
        ResultRow row = ResultRow.measured(cell.model().name(), cell.tp(), cell.comm().label(), cell.commPath(),
                corpus.name(), Metric.PERPLEXITY.id(), r.perplexity(), r.perplexityStderr(), r.scoredTokens(),
                run.bytesPerForward(), seconds, protocol.describe(), 1, perplexitySettings(cell, batch),
                ToolVersion.VERSION);
        double[] nll = r.windowNll();
        List<ItemScore> scores = new ArrayList<>(nll.length);
        for (int w = 0; w < nll.length; w++) {
            scores.add(new ItemScore(w, nll[w], seqLen - 1L));
        }
        List<CommErrorRow> errors = new ArrayList<>();
        for (SiteErrors.Row e : run.errors()) {
            errors.add(new CommErrorRow(cell.model().name(), cell.tp(), cell.comm().label(), cell.commPath(),
                    corpus.corpus().name(), e.layer(), e.site().id(), e.format(), e.elements(), e.relativeL2(),
                    e.maxAbs(), e.overflows(), CommErrorRow.load(e.expertLoad())));
        }
        if (routing != null) {
            errors.addAll(routingAgreement(cell, corpus, lm, protocol, batch, ids, routing));
        }
        return new CellResult(List.of(row), Map.of(row.cell(), scores), errors, true);
    }

    /**
     * One {@code router} row per sparse layer: the fraction of tokens whose experts differ from the baseline cell's
     * (none without a baseline). The baseline agrees with itself, so its rows say 0 and show the layers compared.
     */
    private List<CommErrorRow> routingAgreement(Cell cell, CorpusWorkload corpus, ScoringModel lm,
                                                PerplexityProtocol protocol, int batch, int[] ids,
                                                RoutingTrace routing) {
        Optional<CommSettings> base = config.baselineSettings();
        if (base.isEmpty()) {
            return List.of();
        }
        String key = BaselineRouting.key(cell, corpus.corpus().name(), batch);
        boolean isBaseline = config.baselineLabel().map(cell.comm().label()::equals).orElse(false);
        RoutingTrace baseline = isBaseline ? baselineRouting.record(key, routing) : baselineRouting.of(key, () -> {
            RoutingTrace t = new RoutingTrace();
            PerplexityRun.measure(protocol, lm, base.get(), ids, corpus.file().toString(), Progress.NONE, false, t);
            return t;
        });
        List<CommErrorRow> rows = new ArrayList<>();
        for (int layer : routing.layers()) {
            rows.add(CommErrorRow.router(cell.model().name(), cell.tp(), cell.comm().label(), cell.commPath(),
                    corpus.corpus().name(), layer, routing.tokens(layer), routing.changedFraction(layer, baseline)));
        }
        return rows;
    }

    /**
     * BYTES_PER_FORWARD of a task is what the busiest rank sent per scored sequence, averaged over the task's
     * distinct requests: sequences are scored in padded batches, so padding is counted, as it is on the wire. A
     * generation task's request is one prompt, its prefill and every decode step together.
     */
    private CellResult task(Cell cell, TaskWorkload task, ScoringModel lm, int batch, Progress progress) {
        TrafficMeter meter = new TrafficMeter();
        TaskSpec spec = task.source().spec();
        long start = System.nanoTime();
        TaskResult result;
        try {
            Communicator comm = lm.openCommunicator(cell.comm(), meter, null);
            result = spec.type() == OutputType.GENERATE_UNTIL
                    ? new GenerateUntilScorer(batch).score(spec, task.items(), lm, comm, progress)
                    : new TaskScorer(batch, cell.model().prefixToken()).score(spec, task.items(), lm, comm, progress);
        } catch (InputException e) {
            throw new InputException(task.file() + ": " + e.getMessage());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (samples != null) {
            samples.write(cell, task, result);
        }
        long bytesPerForward = result.requests() == 0 ? 0 : meter.snapshot().maxRankBytes() / result.requests();
        String settings = taskSettings(cell, lm.maxLength(), batch);
        List<ResultRow> rows = new ArrayList<>();
        Map<CellKey, List<ItemScore>> items = new LinkedHashMap<>();
        for (MetricValue m : result.metrics()) {
            ResultRow row = ResultRow.measured(cell.model().name(), cell.tp(), cell.comm().label(), cell.commPath(),
                    task.name(), m.metric().id(), m.value(), m.stderr(), m.n(), bytesPerForward, seconds,
                    task.source().protocol(), result.version(), settings, ToolVersion.VERSION);
            rows.add(row);
            items.put(row.cell(), result.itemScores(m.metric()));
        }
        return new CellResult(rows, items, List.of(), true, result.generations());
    }

    /**
     * The SETTINGS column of a perplexity row. It names only what the cell depends on: its window ({@code seq_len})
     * and how many windows it kept ({@code max_windows}, {@code ppl --limit}); {@code --limit} of tasks does not
     * apply, so it is not there.
     */
    private String perplexitySettings(Cell cell, int batch) {
        return "seq_len=" + cell.model().seqLen() + ";batch=" + batch + ";max_windows=" + config.maxWindows()
                + common(cell);
    }

    /**
     * The SETTINGS column of a task row: the longest window a request may fill ({@code max_len}, the model's
     * max_position_embeddings, since {@code --seq-len} does not apply to tasks) and the item {@code limit}.
     */
    private String taskSettings(Cell cell, int maxLen, int batch) {
        return "max_len=" + maxLen + ";batch=" + batch + ";limit=" + config.limit() + common(cell);
    }

    private String common(Cell cell) {
        return ";dtype=" + config.dtypeName() + ";device=" + config.device().strip() + ";comm_impl="
                + config.commImplName() + ";" + cell.comm().describe() + expertPlacement(cell);
    }

    /** {@code ;moe=ep} for a mixture-of-experts model run with expert parallelism; nothing otherwise. */
    private String expertPlacement(Cell cell) {
        return cell.model().config().moe() != null && config.experts().parallel() == MoeParallel.EP
                ? ";moe=" + config.experts().parallel().id() : "";
    }
}
