package dev.flashcomm.eval.sweep;

import dev.flashcomm.eval.lm.Generation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The baseline's generations that an agreement cell is compared with, one list per model, TP degree and agreement
 * task. They come from the baseline cell when this run measured or resumed it (it runs first in the matrix order),
 * else from the cache entry another shard wrote for it, else they are generated on the loaded model under the
 * baseline's settings: a shard that does not own the baseline cell pays one baseline generation instead of depending
 * on another shard's progress. Every source gives the same tokens, since the baseline cell's cache key is the same.
 */
final class BaselineGenerations {

    private final SweepPlan plan;
    private final CellCache cache;
    private final Consumer<String> warnings;
    /** By the baseline cell's position. */
    private final Map<Integer, List<Generation>> known = new HashMap<>();

    BaselineGenerations(SweepPlan plan, CellCache cache, Consumer<String> warnings) {
        this.plan = plan;
        this.cache = cache;
        this.warnings = warnings;
    }

    /** Whether {@code cell} runs the baseline settings, and so agrees with itself. */
    boolean isBaseline(Cell cell) {
        return plan.config().baselineLabel().map(cell.comm().label()::equals).orElse(false);
    }

    /** Keeps a finished baseline generation cell's generations; other cells are ignored. */
    void record(Cell cell, CellResult result) {
        if (isBaseline(cell) && cell.workload() instanceof GenerationWorkload && !result.generations().isEmpty()) {
            known.put(cell.position(), result.generations());
        }
    }

    /**
     * The baseline's generations for {@code cell}'s model, TP degree and task.
     *
     * @param generate generates the given baseline cell on the model {@code cell} runs on
     */
    List<Generation> of(Cell cell, Function<Cell, List<Generation>> generate) {
        Cell base = baselineCell(cell).orElseThrow(() -> new IllegalStateException("no baseline cell for "
                + cell.label() + " in the plan"));
        List<Generation> found = known.get(base.position());
        if (found == null) {
            found = cache.load(CacheKey.of(base, plan.config()), base, warnings)
                    .map(CellResult::generations).filter(g -> !g.isEmpty())
                    .orElseGet(() -> generate.apply(base));
            known.put(base.position(), found);
        }
        return found;
    }

    private Optional<Cell> baselineCell(Cell cell) {
        return plan.cells().stream().filter(c -> c.model().dir().equals(cell.model().dir()) && c.tp() == cell.tp()
                && c.workload().name().equals(cell.workload().name()) && isBaseline(c)).findFirst();
    }
}
