package dev.flashcomm.eval.sweep;

import dev.flashcomm.eval.lm.BatchSizer;
import dev.flashcomm.eval.lm.ModelLoader;
import dev.flashcomm.eval.lm.ScoringModel;
import dev.flashcomm.results.CellKey;
import dev.flashcomm.results.CommErrorRow;
import dev.flashcomm.results.ItemScore;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.tp.Engines;
import dev.flashcomm.tp.comm.TrafficMeter;
import dev.flashcomm.tp.model.LoadListener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Runs the cells of a plan that this shard owns. Cached cells are read first and never recomputed; the rest run
 * grouped by model and TP degree (the matrix order), so each model is loaded once per TP degree, and only when at
 * least one of its cells is left. Each cell goes to the cache as soon as it finishes, and is measured under a
 * {@link CellClaim}, so concurrent sweeps on one output directory measure every cell once.
 */
public final class Sweep {

    private final SweepPlan plan;
    private final CellCache cache;
    private final ModelOpener opener;
    private final CellListener listener;
    private final boolean diagnostics;
    private final SampleLog samples;

    /** A sweep cached in the config's cache directory, loading models without progress output. */
    public Sweep(SweepPlan plan, CellListener listener) {
        this(plan, new CellCache(plan.config().cacheDir()), plainOpener(plan.config()), listener, false);
    }

    Sweep(SweepPlan plan, CellCache cache, CellListener listener) {
        this(plan, cache, plainOpener(plan.config()), listener, false);
    }

    /**
     * @param cache       where finished cells are kept; {@link CellCache#none()} for a run that keeps nothing
     * @param diagnostics record per layer and site communication errors of perplexity cells (computed cells only)
     */
    public Sweep(SweepPlan plan, CellCache cache, ModelOpener opener, CellListener listener, boolean diagnostics) {
        this(plan, cache, opener, listener, diagnostics, null);
    }

    /**
     * @param samplesOrNull {@code --log-samples}: task cells log their items there; a cached task cell whose samples
     *                      are missing is measured again, since the cache keeps scores, not items
     */
    public Sweep(SweepPlan plan, CellCache cache, ModelOpener opener, CellListener listener, boolean diagnostics,
                 SampleLog samplesOrNull) {
        this.plan = Objects.requireNonNull(plan, "plan");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.opener = Objects.requireNonNull(opener, "opener");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.diagnostics = diagnostics;
        this.samples = samplesOrNull;
    }

    /** Loads a planned model with the config's devices, dtype and all-reduce implementation. */
    public static ModelOpener plainOpener(SweepConfig config) {
        return (model, tp) -> ModelLoader.load(model.checkpoint(), tp, config.experts().parallel(),
                Engines.parseDevices(config.device()), config.dtype(), config.commImpl(), LoadListener.NONE);
    }

    public SweepOutcome run() {
        SweepConfig config = plan.config();
        List<Cell> owned = plan.owned();
        Map<Integer, CellResult> done = new HashMap<>();
        Map<Integer, Integer> ordinal = new HashMap<>();
        List<Cell> toMeasure = new ArrayList<>();
        Set<Integer> damaged = new HashSet<>();
        for (Cell cell : owned) {
            ordinal.put(cell.position(), ordinal.size() + 1);
            Optional<CellResult> cached = cache.load(CacheKey.of(cell, config), cell, listener::warning);
            boolean samplesMissing = samples != null && cell.workload() instanceof TaskWorkload && !samples.has(cell);
            if (cached.isPresent() && !samplesMissing) {
                done.put(cell.position(), cached.get());
            } else {
                toMeasure.add(cell);
                if (cache.holds(CacheKey.of(cell, config))) {
                    damaged.add(cell.position()); // reported once above; not read again unless rewritten
                }
            }
        }
        int resumed = done.size();
        listener.planned(toMeasure, resumed);
        CellRunner runner = new CellRunner(config, diagnostics, samples);
        BaselineGenerations baselines = new BaselineGenerations(plan, cache, listener::warning);
        owned.stream().filter(c -> done.containsKey(c.position()))
                .forEach(c -> baselines.record(c, done.get(c.position())));
        int next = 0;
        int sharedCells = 0;
        while (next < toMeasure.size()) {
            Cell first = toMeasure.get(next);
            try (ScoringModel lm = opener.open(first.model(), first.tp())) {
                List<Cell> group = new ArrayList<>();
                for (int i = next; i < toMeasure.size() && sameModel(toMeasure.get(i), first); i++) {
                    group.add(toMeasure.get(i));
                }
                int batch = config.batch().auto() ? autoBatch(lm, group) : config.batch().fixed();
                for (Cell cell : group) {
                    CacheKey key = CacheKey.of(cell, config);
                    // a second sweep on this --out waits for the cell and shares its result instead of repeating it
                    try (CellClaim claim = cache.claim(key, cell, listener::warning)) {
                        // another sweep may have finished it since we looked, whether or not we had to wait
                        boolean rewritten = claim.waited() || !damaged.contains(cell.position());
                        Optional<CellResult> shared = rewritten
                                ? cache.load(key, cell, listener::warning) : Optional.empty();
                        if (shared.isPresent()) {
                            done.put(cell.position(), shared.get());
                            baselines.record(cell, shared.get());
                            sharedCells++;
                            continue;
                        }
                        long start = System.nanoTime();
                        CellResult result = runner.measure(cell, lm, batch,
                                listener.started(cell, ordinal.get(cell.position()), owned.size()), baselines);
                        cache.store(key, cell, result);
                        done.put(cell.position(), result);
                        baselines.record(cell, result);
                        listener.finished(cell, result, (System.nanoTime() - start) / 1e9);
                    }
                }
                next += group.size();
            }
        }
        List<ResultRow> rows = new ArrayList<>();
        Map<CellKey, List<ItemScore>> items = new LinkedHashMap<>();
        List<CommErrorRow> errors = new ArrayList<>();
        List<CellGenerations> generations = new ArrayList<>();
        for (Cell cell : owned) {
            CellResult r = done.get(cell.position());
            rows.addAll(r.rows());
            items.putAll(r.items());
            errors.addAll(r.commErrors());
            if (!r.generations().isEmpty()) {
                generations.add(CellGenerations.of(cell, r.generations()));
            }
        }
        TaskGroupAggregates.addTo(rows, items);
        return new SweepOutcome(rows, items, errors, toMeasure.size() - sharedCells, resumed + sharedCells,
                generations);
    }

    /**
     * {@code --batch auto} for one loaded model: sized for its longest sequences, a perplexity window when the
     * group has a corpus, else the longest request a task may make (max_position_embeddings; task requests are
     * mostly far shorter, so this errs on the safe side), and at most as many sequences as the largest workload has.
     */
    private int autoBatch(ScoringModel lm, List<Cell> group) {
        PreparedModel model = group.get(0).model();
        boolean corpus = group.stream().anyMatch(c -> c.workload() instanceof CorpusWorkload);
        int length = corpus ? model.seqLen() : lm.maxLength();
        int useful = 1;
        for (Cell c : group) {
            // a task scores one sequence per choice of each item, an agreement task one per prompt
            useful = Math.max(useful, c.workload() instanceof CorpusWorkload w ? model.windows(w.corpus().name())
                    : c.workload() instanceof GenerationWorkload g ? g.prompts().size()
                    : ((TaskWorkload) c.workload()).items().stream().mapToInt(i -> i.choices().size()).sum());
        }
        BatchSizer.Choice choice = BatchSizer.choose(lm, new int[length], useful,
                lm.openCommunicator(group.get(0).comm(), new TrafficMeter(), null), listener::note);
        listener.note("--batch auto: " + choice.batch() + " sequence(s) of up to " + length + " tokens per forward "
                + "pass for " + model.name() + " at TP " + group.get(0).tp() + " (" + choice.how() + ")");
        return choice.batch();
    }

    private static boolean sameModel(Cell a, Cell b) {
        return a.model().dir().equals(b.model().dir()) && a.tp() == b.tp();
    }
}
