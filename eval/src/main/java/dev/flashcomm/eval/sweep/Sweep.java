package dev.flashcomm.eval.sweep;

import ai.djl.Device;
import dev.flashcomm.eval.lm.ModelLoader;
import dev.flashcomm.eval.lm.ScoringModel;
import dev.flashcomm.results.CellKey;
import dev.flashcomm.results.ItemScore;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.tp.Engines;
import java.nio.file.Files;
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
    private final CellListener listener;

    public Sweep(SweepPlan plan, CellListener listener) {
        this(plan, new CellCache(plan.config().cacheDir()), listener);
    }

    Sweep(SweepPlan plan, CellCache cache, CellListener listener) {
        this.plan = Objects.requireNonNull(plan, "plan");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.listener = Objects.requireNonNull(listener, "listener");
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
            if (cached.isPresent()) {
                done.put(cell.position(), cached.get());
            } else {
                toMeasure.add(cell);
                if (Files.exists(cache.file(CacheKey.of(cell, config)))) {
                    damaged.add(cell.position()); // reported once above; not read again unless rewritten
                }
            }
        }
        int resumed = done.size();
        listener.planned(toMeasure, resumed);
        CellRunner runner = new CellRunner(config);
        List<Device> devices = Engines.parseDevices(config.device());
        int next = 0;
        int sharedCells = 0;
        while (next < toMeasure.size()) {
            Cell first = toMeasure.get(next);
            try (ScoringModel lm = ModelLoader.load(first.model().dir(), first.tp(), devices, config.dtype())) {
                while (next < toMeasure.size() && sameModel(toMeasure.get(next), first)) {
                    Cell cell = toMeasure.get(next++);
                    CacheKey key = CacheKey.of(cell, config);
                    // a second sweep on this --out waits for the cell and shares its result instead of repeating it
                    try (CellClaim claim = cache.claim(key, cell, listener::warning)) {
                        // another sweep may have finished it since we looked, whether or not we had to wait
                        boolean rewritten = claim.waited() || !damaged.contains(cell.position());
                        Optional<CellResult> shared = rewritten
                                ? cache.load(key, cell, listener::warning) : Optional.empty();
                        if (shared.isPresent()) {
                            done.put(cell.position(), shared.get());
                            sharedCells++;
                            continue;
                        }
                        long start = System.nanoTime();
                        CellResult result = runner.measure(cell, lm,
                                listener.started(cell, ordinal.get(cell.position()), owned.size()));
                        cache.store(key, cell, result);
                        done.put(cell.position(), result);
                        listener.finished(cell, result, (System.nanoTime() - start) / 1e9);
                    }
                }
            }
        }
        List<ResultRow> rows = new ArrayList<>();
        Map<CellKey, List<ItemScore>> items = new LinkedHashMap<>();
        for (Cell cell : owned) {
            CellResult r = done.get(cell.position());
            rows.addAll(r.rows());
            items.putAll(r.items());
        }
        return new SweepOutcome(rows, items, toMeasure.size() - sharedCells, resumed + sharedCells);
    }

    private static boolean sameModel(Cell a, Cell b) {
        return a.model().dir().equals(b.model().dir()) && a.tp() == b.tp();
    }
}
