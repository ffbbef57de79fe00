package dev.flashcomm.eval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashcomm.datasets.TaskLoader;
import dev.flashcomm.datasets.TaskRegistry;
import dev.flashcomm.eval.Fixtures;
import dev.flashcomm.eval.InputException;
import dev.flashcomm.eval.sweep.SweepConfig;
import dev.flashcomm.eval.sweep.SweepPlan;
import dev.flashcomm.eval.sweep.SweepPlanner;
import dev.flashcomm.eval.sweep.TaskSelection;
import dev.flashcomm.eval.sweep.TaskSource;
import dev.flashcomm.eval.sweep.TinySweep;
import dev.flashcomm.tp.comm.CommSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flashcomm demo}: the bundled sweep is well formed (running it takes minutes, so only its plan is checked). */
class SweepDemoCommandTest {

    @Test
    void demoPlansTheBundledSweep(@TempDir Path tmp) {
        TinySweep.model();
        SweepConfig config = DemoCommand.config(Fixtures.ROOT, tmp, 2);
        SweepPlan plan = SweepPlanner.plan(config);
        assertEquals(List.of("fp16", "int8-asym-g128", "int6-asym-g128", "int4-asym-g128", "int2-asym-g128"),
                config.commSettings().stream().map(CommSettings::label).toList());
        assertEquals(List.of("piqa", "arc_easy", "arc_challenge", "hellaswag", "winogrande", "lambada_openai", "boolq",
                "openbookqa", "copa"), config.tasks().stream().map(t -> t.spec().name()).toList());
        assertEquals(5 * (1 + 9), plan.cells().size());
        assertEquals("llama3-tiny tp=2 fp16 ppl:stories", plan.cells().get(0).label());
        assertEquals(256, plan.models().get(0).seqLen());
        assertTrue(plan.models().get(0).windows("stories") >= 10, "the stories fill at least 10 windows");
    }

    @Test
    void everyRegisteredTaskHasItsFileUnderTheDemoRoot() {
        // demo/README.md promises that --tasks all works with --data-root demo/tasks
        List<TaskSource> all = TaskSelection.resolve("all", Map.of(), TinySweep.demo("tasks"));
        assertEquals(TaskRegistry.all().size(), all.size());
        for (TaskSource t : all) {
            assertTrue(TaskLoader.load(t.spec(), t.file()).size() == 20, t.file() + " holds 20 items");
        }
    }

    @Test
    void demoWithoutTheBundledContentSaysWhere(@TempDir Path tmp) {
        InputException e = assertThrows(InputException.class, () -> DemoCommand.config(tmp, tmp.resolve("o"), 2));
        assertTrue(e.getMessage().startsWith(tmp.resolve("models/llama3-tiny") + ": bundled model not found"),
                e.getMessage());
    }
}
