package dev.flashcomm.eval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
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

    @Test
    void editedTruncatedOrNonFiniteEntriesAreDamageAndMeasuredAgain() throws IOException {
        SweepConfig config = TinySweep.config(tmp.resolve("out"));
        Cell cell = SweepPlanner.plan(config).cells().get(1);
        CellCache cache = new CellCache(config.cacheDir());
        CacheKey key = CacheKey.of(cell, config);
        cache.store(key, cell, result(cell, cell.model().name()));
        Path file = cache.file(key);
        String good = Files.readString(file);

        // a plausible hand edit of the value: it still parses, and used to go into results.csv
        Files.writeString(file, good.replaceFirst("\"value\": 0\\.6666666666666666", "\"value\": 0.9"));
        assertEquals(Optional.empty(), cache.load(key, cell, warnings::add));
        assertTrue(warnings.get(0).contains("does not match its digest"), warnings.get(0));

        // consistent with its digest (a tool rewrote it) but not with the plan: too few items, a NaN value
        JsonObject cut = JsonParser.parseString(good).getAsJsonObject();
        cut.getAsJsonObject("items").getAsJsonArray("acc").remove(0);
        cut.addProperty("digest", CellCache.digest(cut));
        Files.writeString(file, cut.toString());
        assertEquals(Optional.empty(), cache.load(key, cell, warnings::add));
        assertTrue(warnings.get(1).contains("the plan has " + items(cell)), warnings.get(1));

        JsonObject nan = JsonParser.parseString(good).getAsJsonObject();
        nan.getAsJsonArray("rows").get(0).getAsJsonObject().addProperty("value", "NaN");
        nan.addProperty("digest", CellCache.digest(nan));
        Files.writeString(file, nan.toString());
        assertEquals(Optional.empty(), cache.load(key, cell, warnings::add));
        assertTrue(warnings.get(2).contains("never cached"), warnings.get(2));

        // each damaged entry is named and re-measured, and a fresh store makes it good again
        assertTrue(warnings.stream().allMatch(w -> w.startsWith(file + ": ") && w.contains("again")), "" + warnings);
        cache.store(key, cell, result(cell, cell.model().name()));
        assertTrue(cache.load(key, cell, warnings::add).isPresent());
    }

    @Test
    void hugeOrSpecialEntryIsNotRead() throws Exception {
        SweepConfig config = TinySweep.config(tmp.resolve("out"));
        Cell cell = SweepPlanner.plan(config).cells().get(1);
        CellCache cache = new CellCache(config.cacheDir());
        CacheKey key = CacheKey.of(cell, config);
        Files.createDirectories(config.cacheDir());
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(cache.file(key).toFile(), "rw")) {
            f.setLength(CellCache.MAX_ENTRY_BYTES + 1); // sparse
        }
        assertEquals(Optional.empty(), cache.load(key, cell, warnings::add));
        assertTrue(warnings.get(0).contains("larger than"), warnings.get(0));
        Files.delete(cache.file(key));
        if (new ProcessBuilder("mkfifo", cache.file(key).toString()).start().waitFor() == 0) {
            assertEquals(Optional.empty(), cache.load(key, cell, warnings::add)); // returns: does not block
            assertTrue(warnings.get(1).contains("not a regular file"), warnings.get(1));
        }
    }

    private static int items(Cell cell) {
        return ((TaskWorkload) cell.workload()).items().size();
    }

    /** A hand-made result with a NaN standard error and values that need all 17 digits, one score per item. */
    private static CellResult result(Cell cell, String model) {
        ResultRow acc = ResultRow.measured(model, cell.tp(), cell.comm().label(), cell.commPath(),
                cell.workload().name(), "acc", 2.0 / 3, Double.NaN, 3, 4242, 0.1 + 0.2, "lm-eval 0-shot", 1,
                "max_len=512", "0.1.0");
        ResultRow norm = ResultRow.measured(model, cell.tp(), cell.comm().label(), cell.commPath(),
                cell.workload().name(), "acc_norm", 1.0 / 3, 0.33333333333333331, 3, 4242, 0.1 + 0.2,
                "lm-eval 0-shot", 1, "max_len=512", "0.1.0");
        List<ItemScore> a = new ArrayList<>();
        List<ItemScore> b = new ArrayList<>();
        for (int i = 0; i < items(cell); i++) {
            a.add(new ItemScore(i, i % 3 == 1 ? 0 : 1, 1));
            b.add(new ItemScore(i, i % 3 == 2 ? 1 : 0, 1));
        }
        return new CellResult(List.of(acc, norm), Map.of(acc.cell(), a, norm.cell(), b), true);
    }
}
