package dev.flashcomm.eval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashcomm.datasets.FewShotRequest;
import dev.flashcomm.datasets.TaskItem;
import dev.flashcomm.eval.Fixtures;
import dev.flashcomm.tp.model.MoeParallel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cache keys follow what a result depends on: contents, not paths. */
class CacheKeyTest {

    @TempDir
    Path tmp;

    @Test
    void aCopiedModelSharesItsCacheEntriesWhateverItsPathAndName() throws IOException {
        Path copy = TinySweep.copyModel(tmp.resolve("elsewhere"), "renamed-model");
        assertEquals(ModelIdentity.of(TinySweep.model()), ModelIdentity.of(copy));
        assertEquals(keys(TinySweep.model()), keys(copy));
    }

    @Test
    void oneChangedWeightByteGivesOtherKeys() throws IOException {
        Path copy = TinySweep.copyModel(tmp, "llama3-tiny");
        Path shard = copy.resolve("model-00002-of-00003.safetensors");
        byte[] bytes = Files.readAllBytes(shard);
        bytes[bytes.length - 1000] ^= 1; // one bit of one weight, deep in the data, the header unchanged
        Files.write(shard, bytes);
        assertNotEquals(ModelIdentity.of(TinySweep.model()), ModelIdentity.of(copy));
        assertDisjoint(keys(TinySweep.model()), keys(copy));
    }

    @Test
    void oneChangedConfigFieldGivesOtherKeys() throws IOException {
        Path copy = TinySweep.copyModel(tmp, "llama3-tiny");
        Path config = copy.resolve("config.json");
        String text = Files.readString(config, StandardCharsets.UTF_8);
        assertTrue(text.contains("\"rms_norm_eps\": 1e-05"), "fixture changed: " + config);
        Files.writeString(config, text.replace("\"rms_norm_eps\": 1e-05", "\"rms_norm_eps\": 1e-06"));
        assertDisjoint(keys(TinySweep.model()), keys(copy));
    }

    @Test
    void everyCellOfAPlanHasItsOwnKeyAndKeysDependOnSettings() {
        SweepConfig config = TinySweep.config(tmp.resolve("out"));
        List<String> keys = keys(config);
        assertEquals(TinySweep.CELLS, new HashSet<>(keys).size(), "distinct per cell: " + keys);
        List<String> moreItems = keys(with(config, Limit.count(3), config.maxWindows()));
        List<String> moreWindows = keys(with(config, config.limit(), Limit.count(3)));
        // cells 0 and 2 measure the stories corpus, 1 and 3 piqa: each setting re-measures only its own cells
        assertEquals(List.of(keys.get(0), keys.get(2)), List.of(moreItems.get(0), moreItems.get(2)),
                "--limit does not touch perplexity cells");
        assertDisjoint(List.of(keys.get(1), keys.get(3)), List.of(moreItems.get(1), moreItems.get(3)));
        assertEquals(List.of(keys.get(1), keys.get(3)), List.of(moreWindows.get(1), moreWindows.get(3)),
                "--max-windows does not touch task cells");
        assertDisjoint(List.of(keys.get(0), keys.get(2)), List.of(moreWindows.get(0), moreWindows.get(2)));
    }

    private static SweepConfig with(SweepConfig c, Limit limit, Limit maxWindows) {
        return new SweepConfig(c.models(), c.tps(), c.comms(), c.baselineComm(), c.commPath(), c.scope(), c.accumulation(), c.cast(),
                c.threshold(), c.tasks(),
                c.corpora(), c.seqLen(), c.batch(), limit, maxWindows, c.device(), c.dtype(), c.commImpl(), c.seed(),
                c.shard(), c.out());
    }

    @Test
    void theKeyRecordsItsIngredients() {
        SweepConfig config = TinySweep.config(tmp.resolve("out"));
        Cell piqaInt4 = SweepPlanner.plan(config).cells().get(3);
        CacheKey key = CacheKey.of(piqaInt4, config);
        assertEquals("piqa", key.ingredients().get("task"));
        assertEquals("int4-asym-g128", key.ingredients().get("comm"));
        assertEquals("2", key.ingredients().get("tp"));
        assertEquals("2", key.ingredients().get("limit"));
        assertEquals(ModelIdentity.of(TinySweep.model()), key.ingredients().get("model"));
        assertEquals(64, key.hash().length());
    }

    /**
     * {@code --moe-parallel} changes what a mixture-of-experts model computes (and moves), so it is part of such a
     * cell's key; a dense model ignores it, so its keys stay what they were and its cache entries are shared.
     */
    @Test
    void moeParallelKeysMixtureOfExpertsCellsOnly() {
        Path moe = Fixtures.shared("models/qwen3-moe-tiny");
        SweepConfig tp = TinySweep.config(List.of(moe, TinySweep.model()), tmp.resolve("out"), Shard.ALL);
        SweepConfig ep = tp.withExperts(new ExpertOptions(MoeParallel.EP, null, null));
        List<Cell> tpCells = SweepPlanner.plan(tp).cells();
        List<Cell> epCells = SweepPlanner.plan(ep).cells();
        assertEquals(2 * TinySweep.CELLS, tpCells.size());
        for (int i = 0; i < tpCells.size(); i++) {
            CacheKey tpKey = CacheKey.of(tpCells.get(i), tp);
            CacheKey epKey = CacheKey.of(epCells.get(i), ep);
            if (tpCells.get(i).model().config().moe() != null) {
                assertEquals("tp", tpKey.ingredients().get("moe_parallel"));
                assertEquals("ep", epKey.ingredients().get("moe_parallel"));
                assertNotEquals(tpKey.hash(), epKey.hash(), tpCells.get(i).toString());
            } else {
                assertFalse(tpKey.ingredients().containsKey("moe_parallel"), "a dense key is what it was");
                assertEquals(tpKey.hash(), epKey.hash(), tpCells.get(i).toString());
            }
        }
    }

    @Test
    void fewShotCellsKeyOnTheExamplesTheirItemsDrew() {
        SweepConfig config = TinySweep.config(tmp.resolve("out"));
        Cell piqa = SweepPlanner.plan(config).cells().get(1);
        TaskWorkload zeroShot = (TaskWorkload) piqa.workload();
        assertFalse(CacheKey.of(piqa, config).ingredients().containsKey("fewshot_examples"),
                "zero-shot keys are what they were");
        TaskSource twoShot = new TaskSource(zeroShot.source().spec(), zeroShot.source().file(),
                FewShotRequest.of(2), Optional.empty());
        // same data, same protocol; only the examples differ, as when a sampler fix changes the draws
        Cell drawn = withItems(piqa, twoShot, zeroShot, List.of(List.of(3, 2), List.of(0, 2)));
        Cell redrawn = withItems(piqa, twoShot, zeroShot, List.of(List.of(3, 2), List.of(0, 3)));
        assertEquals(CacheKey.of(drawn, config).ingredients().get("protocol"),
                CacheKey.of(redrawn, config).ingredients().get("protocol"));
        assertNotEquals(CacheKey.of(drawn, config).hash(), CacheKey.of(redrawn, config).hash());
        assertEquals(CacheKey.of(drawn, config).hash(),
                CacheKey.of(withItems(piqa, twoShot, zeroShot, List.of(List.of(3, 2), List.of(0, 2))), config).hash());
    }

    private static Cell withItems(Cell cell, TaskSource source, TaskWorkload base, List<List<Integer>> examples) {
        List<TaskItem> items = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            TaskItem item = base.items().get(i);
            items.add(new TaskItem(item.index(), item.choices(), item.gold(), examples.get(i)));
        }
        return new Cell(cell.position(), cell.model(), cell.tp(), cell.comm(),
                new TaskWorkload(source, items, base.dataIdentity()));
    }

    private List<String> keys(Path model) {
        return keys(TinySweep.config(List.of(model), tmp.resolve("out"), Shard.ALL));
    }

    private static List<String> keys(SweepConfig config) {
        return SweepPlanner.plan(config).cells().stream().map(c -> CacheKey.of(c, config).hash()).toList();
    }

    private static void assertDisjoint(List<String> a, List<String> b) {
        Set<String> common = new HashSet<>(a);
        common.retainAll(b);
        assertEquals(Set.of(), common, "no cache entry may be shared");
    }
}
