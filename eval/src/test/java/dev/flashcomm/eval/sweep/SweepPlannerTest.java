package dev.flashcomm.eval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flashcomm.datasets.TaskLoader;
import dev.flashcomm.datasets.TaskRegistry;
import dev.flashcomm.eval.Fixtures;
import dev.flashcomm.tp.comm.CommSettings;
import java.nio.file.Path;
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
                c.scope(), c.tasks(), c.corpora(), c.seqLen(), c.batch(), Limit.parse("--limit", "0.3"),
                Limit.parse("--max-windows", "0.5"), c.device(), c.dtype(), c.commImpl(), c.seed(), c.shard(),
                c.out());
        SweepPlan plan = SweepPlanner.plan(fractions);
        int items = TaskLoader.load(TaskRegistry.PIQA, TinySweep.demo("tasks/piqa/valid.jsonl")).size();
        TaskWorkload piqa = (TaskWorkload) plan.cells().get(1).workload();
        assertEquals((int) Math.ceil(items * 0.3 - 1e-9), piqa.items().size());
        SweepConfig all = new SweepConfig(c.models(), c.tps(), c.comms(), c.baselineComm(), c.commPath(), c.scope(),
                c.tasks(), c.corpora(), c.seqLen(), c.batch(), Limit.ALL, Limit.ALL, c.device(), c.dtype(),
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
}
