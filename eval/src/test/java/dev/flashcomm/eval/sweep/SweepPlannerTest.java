package dev.flashcomm.eval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashcomm.datasets.TaskLoader;
import dev.flashcomm.datasets.TaskRegistry;
import dev.flashcomm.eval.Fixtures;
import dev.flashcomm.eval.InputException;
import dev.flashcomm.tp.checkpoint.DecoderFamilies;
import dev.flashcomm.tp.checkpoint.ModelConfig;
import dev.flashcomm.tp.checkpoint.RopeScaling;
import dev.flashcomm.tp.comm.CommSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the planner reads and derives before any weight is loaded. */
class SweepPlannerTest {

    @Test
    void fractionalLimitsKeepThatShareOfItemsAndWindowsRoundedUp(@TempDir Path tmp) {
        SweepConfig c = TinySweep.config(tmp.resolve("out"));
        SweepConfig fractions = new SweepConfig(c.models(), c.tps(), c.comms(), c.baselineComm(), c.commPath(),
                c.scope(), c.accumulation(), c.cast(), c.threshold(), c.tasks(), c.corpora(), c.seqLen(), c.batch(), Limit.parse("--limit", "0.3"),
                Limit.parse("--max-windows", "0.5"), c.device(), c.dtype(), c.commImpl(), c.seed(), c.shard(),
                c.out());
        SweepPlan plan = SweepPlanner.plan(fractions);
        int items = TaskLoader.load(TaskRegistry.PIQA, TinySweep.demo("tasks/piqa/valid.jsonl")).size();
        TaskWorkload piqa = (TaskWorkload) plan.cells().get(1).workload();
        assertEquals((int) Math.ceil(items * 0.3 - 1e-9), piqa.items().size());
        SweepConfig all = new SweepConfig(c.models(), c.tps(), c.comms(), c.baselineComm(), c.commPath(), c.scope(),
                c.accumulation(), c.cast(), c.threshold(), c.tasks(), c.corpora(), c.seqLen(), c.batch(), Limit.ALL, Limit.ALL, c.device(), c.dtype(),
                c.commImpl(), c.seed(), c.shard(), c.out());
        int windows = SweepPlanner.plan(all).models().get(0).windows("stories");
        assertEquals((windows + 1) / 2, plan.models().get(0).windows("stories"));
        assertEquals(List.of("fp16", "int4-asym-g128"), fractions.commSettings().stream()
                .map(CommSettings::label).toList());
    }

    @Test
    void aTokenizerWithoutBosConditionsEmptyContextsOnTheConfigsEos(@TempDir Path tmp) {
        Path qwen = Fixtures.shared("models/qwen2-tiny");
        PreparedModel m = SweepPlanner.plan(TinySweep.config(List.of(qwen), tmp.resolve("out"), Shard.ALL))
                .models().get(0);
        assertEquals(OptionalInt.of(0), m.prefixToken(), "qwen2-tiny's eos_token_id, from the one config read");
        PreparedModel llama = SweepPlanner.plan(TinySweep.config(tmp.resolve("out2"))).models().get(0);
        assertEquals(OptionalInt.empty(), llama.prefixToken(), "llama3-tiny adds a BOS");
    }

    @Test
    void theWindowRuleHoldsForEveryCommand() {
        ModelConfig sliding = new ModelConfig(DecoderFamilies.LLAMA, 64, 128, 2, 4, 4, 16, 100, 4096, 1e-5, 10000,
                RopeScaling.NONE, true, false, false, false, false, 1024, "float32");
        Path file = Path.of("m", "config.json");
        List<String> notes = new ArrayList<>();
        assertEquals(1024, SweepPlanner.windowLength(OptionalInt.empty(), sliding, file, true, notes));
        assertEquals(List.of("--seq-len defaults to 1024 for m, its sliding_window"), notes);
        assertEquals(512, SweepPlanner.windowLength(OptionalInt.of(512), sliding, file, true, notes));
        InputException beyond = assertThrows(InputException.class,
                () -> SweepPlanner.windowLength(OptionalInt.of(2048), sliding, file, true, notes));
        assertTrue(beyond.getMessage().contains("exceeds the sliding_window 1024"), beyond.getMessage());
        InputException tooLong = assertThrows(InputException.class,
                () -> SweepPlanner.windowLength(OptionalInt.of(8192), sliding, file, true, notes));
        assertTrue(tooLong.getMessage().contains("exceeds max_position_embeddings 4096"), tooLong.getMessage());
        assertThrows(InputException.class, () -> SweepPlanner.windowLength(OptionalInt.of(1), sliding, file, true,
                notes));
    }
}
