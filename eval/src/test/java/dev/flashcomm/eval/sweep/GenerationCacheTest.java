package dev.flashcomm.eval.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.flashcomm.eval.lm.Generation;
import dev.flashcomm.eval.lm.StopReason;
import dev.flashcomm.results.CellKey;
import dev.flashcomm.results.ItemScore;
import dev.flashcomm.results.ResultRow;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A generation cell's entry keeps its generations exactly, and one whose generations do not fit the plan is redone. */
class GenerationCacheTest {

    @TempDir
    Path tmp;

    private final List<String> warnings = new ArrayList<>();

    private Cell cell(SweepConfig config) {
        return SweepPlanner.plan(config).cells().get(1); // int8 agreement:stories
    }

    private static CellResult result(Cell cell, int prompts) {
        Map<CellKey, List<ItemScore>> items = new LinkedHashMap<>();
        List<ResultRow> rows = new ArrayList<>();
        for (String metric : List.of("agreement", "first_divergence")) {
            ResultRow row = ResultRow.measured(cell.model().name(), cell.tp(), cell.comm().label(), cell.commPath(),
                    cell.workload().name(), metric, 0.5, 0.25, prompts, 100, 0.3, "greedy max_new_tokens=8", 1, "",
                    "0.1.0");
            rows.add(row);
            List<ItemScore> scores = new ArrayList<>();
            for (int i = 0; i < prompts; i++) {
                scores.add(new ItemScore(i, i % 2, 1));
            }
            items.put(row.cell(), scores);
        }
        List<Generation> generations = new ArrayList<>();
        for (int i = 0; i < prompts; i++) {
            generations.add(new Generation(new int[] {0, 10 + i}, new int[] {3, 4, 5}, new double[] {-0.1, -1.0 / 3, 0},
                    "text \"" + i + "\"\n", i == 0 ? StopReason.STOP_SEQUENCE : StopReason.MAX_NEW_TOKENS));
        }
        return new CellResult(rows, items, List.of(), true, generations);
    }

    @Test
    void generationsRoundTripAndAShortListIsRecomputed() throws IOException {
        SweepConfig config = AgreementSweepTest.config(AgreementSweepTest.promptsFile(tmp), tmp.resolve("out"),
                Shard.ALL);
        Cell cell = cell(config);
        CellCache cache = new CellCache(config.cacheDir());
        CacheKey key = CacheKey.of(cell, config);
        CellResult stored = result(cell, AgreementSweepTest.PROMPTS.size());
        cache.store(key, cell, stored);

        CellResult loaded = cache.load(key, cell, warnings::add).orElseThrow();
        assertEquals(List.of(), warnings);
        assertEquals(stored.rows(), loaded.rows());
        assertEquals(stored.items(), loaded.items());
        for (int i = 0; i < stored.generations().size(); i++) {
            Generation a = stored.generations().get(i);
            Generation b = loaded.generations().get(i);
            assertArrayEquals(a.promptIds(), b.promptIds());
            assertArrayEquals(a.newIds(), b.newIds());
            assertArrayEquals(a.logProbs(), b.logProbs());
            assertEquals(a.text(), b.text());
            assertEquals(a.stopReason(), b.stopReason());
        }

        // an entry whose generations were cut (its digest recomputed, as a careless tool would) is not trusted
        Path file = cache.file(key);
        JsonObject json = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
        JsonArray generations = json.getAsJsonArray("generations");
        generations.remove(generations.size() - 1);
        json.addProperty("digest", CellCache.digest(json));
        Files.writeString(file, json.toString(), StandardCharsets.UTF_8);
        assertEquals(Optional.empty(), cache.load(key, cell, warnings::add));
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("3 generations, the plan has 4 prompts"), warnings.get(0));
    }

    @Test
    void theKeyHoldsTheBaselinesSettings() throws IOException {
        SweepConfig config = AgreementSweepTest.config(AgreementSweepTest.promptsFile(tmp), tmp.resolve("out"),
                Shard.ALL);
        CacheKey key = CacheKey.of(cell(config), config);
        assertTrue(key.ingredients().get("baseline").startsWith("format=fp16;"), key.ingredients().toString());
        assertEquals("greedy max_new_tokens=8", key.ingredients().get("protocol"));
        assertEquals(SweepPlanner.dataIdentity(List.of(tmp.resolve("prompts.txt"))), key.ingredients().get("data"));
    }
}
