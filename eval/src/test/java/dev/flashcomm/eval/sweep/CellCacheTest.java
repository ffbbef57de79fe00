package dev.flashcomm.eval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashcomm.results.CellKey;
import dev.flashcomm.results.ItemScore;
import dev.flashcomm.results.ResultRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cache entries round-trip exactly, carry the current model name, and are never trusted when damaged. */
class CellCacheTest {

    @TempDir
    Path tmp;

    private final List<String> warnings = new ArrayList<>();

    @Test
    void storedResultComesBackExactlyUnderTheLoadingCellsModelName() throws IOException {
        SweepConfig config = TinySweep.config(tmp.resolve("out"));
        Cell cell = SweepPlanner.plan(config).cells().get(1); // fp16 piqa
        CellResult stored = result(cell, cell.model().name());
        CellCache cache = new CellCache(config.cacheDir());
        CacheKey key = CacheKey.of(cell, config);
        cache.store(key, cell, stored);

        CellResult loaded = cache.load(key, cell, warnings::add).orElseThrow();
        assertEquals(stored.rows(), loaded.rows());
        assertEquals(stored.items(), loaded.items());
        assertFalse(loaded.computed());

        Path renamed = TinySweep.copyModel(tmp, "renamed");
        SweepConfig other = TinySweep.config(List.of(renamed), tmp.resolve("out"), Shard.ALL);
        Cell sameCellOtherName = SweepPlanner.plan(other).cells().get(1);
        CacheKey otherKey = CacheKey.of(sameCellOtherName, other);
        assertEquals(key, otherKey);
        CellResult relabelled = cache.load(otherKey, sameCellOtherName, warnings::add).orElseThrow();
        assertEquals(result(cell, "renamed").rows(), relabelled.rows());
        assertEquals(result(cell, "renamed").items(), relabelled.items());
        assertEquals(List.of(), warnings);
    }

    @Test
    void missingEntryIsSilentDamagedOrForeignEntryIsReported() throws IOException {
        SweepConfig config = TinySweep.config(tmp.resolve("out"));
        Cell cell = SweepPlanner.plan(config).cells().get(1);
        CellCache cache = new CellCache(config.cacheDir());
        CacheKey key = CacheKey.of(cell, config);
        assertEquals(Optional.empty(), cache.load(key, cell, warnings::add));
        assertEquals(List.of(), warnings);

        cache.store(key, cell, result(cell, cell.model().name()));
        String good = Files.readString(cache.file(key));
        Files.writeString(cache.file(key), good.substring(0, good.length() / 2));
        assertEquals(Optional.empty(), cache.load(key, cell, warnings::add));
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).startsWith(cache.file(key) + ": corrupt cache entry"), warnings.get(0));

        Files.writeString(cache.file(key), good.replace("\"comm\": \"fp16\"", "\"comm\": \"int8-asym-g128\""));
        assertEquals(Optional.empty(), cache.load(key, cell, warnings::add));
        assertEquals(2, warnings.size());
        assertTrue(warnings.get(1).contains("cached for other inputs"), warnings.get(1));
    }

    /** A hand-made result with a NaN standard error and values that need all 17 digits. */
    private static CellResult result(Cell cell, String model) {
        ResultRow acc = ResultRow.measured(model, cell.tp(), cell.comm().label(), cell.commPath(),
                cell.workload().name(), "acc", 2.0 / 3, Double.NaN, 3, 4242, 0.1 + 0.2, "lm-eval 0-shot", 1,
                "max_len=512", "0.1.0");
        ResultRow norm = ResultRow.measured(model, cell.tp(), cell.comm().label(), cell.commPath(),
                cell.workload().name(), "acc_norm", 1.0 / 3, 0.33333333333333331, 3, 4242, 0.1 + 0.2,
                "lm-eval 0-shot", 1, "max_len=512", "0.1.0");
        Map<CellKey, List<ItemScore>> items = Map.of(
                acc.cell(), List.of(new ItemScore(0, 1, 1), new ItemScore(1, 0, 1), new ItemScore(2, 1, 1)),
                norm.cell(), List.of(new ItemScore(0, 0, 1), new ItemScore(1, 0, 1), new ItemScore(2, 1, 1)));
        return new CellResult(List.of(acc, norm), items, true);
    }
}
