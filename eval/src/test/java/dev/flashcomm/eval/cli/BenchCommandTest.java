package dev.flashcomm.eval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashcomm.eval.sweep.TinySweep;
import org.junit.jupiter.api.Test;

/** {@code flashcomm bench} takes its model and windows from the sweep's planner, like {@code ppl}. */
class BenchCommandTest {

    @Test
    void thePerplexitySectionScoresThePlannedWindows() {
        CliRun run = CliRun.of("bench", "--model", TinySweep.model().toString(), "--data",
                TinySweep.demo("stories.txt").toString(), "--sections", "ppl", "--seq-len", "64", "--limit", "2",
                "--batch", "2");
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(run.out().contains("ppl         llama3-tiny on stories.txt, seq-len 64, batch 2: ppl "),
                run.transcript());
        assertTrue(run.out().contains(", 2 windows in "), run.transcript());
    }

    @Test
    void aWindowTheModelCannotTakeFailsBeforeAnythingIsTimed() {
        CliRun run = CliRun.of("bench", "--model", TinySweep.model().toString(), "--data",
                TinySweep.demo("stories.txt").toString(), "--sections", "matmul,ppl", "--seq-len", "4096");
        assertEquals(2, run.exitCode(), run.transcript());
        assertEquals(1, run.errLines().size(), run.transcript());
        assertTrue(run.errLines().get(0).contains("--seq-len 4096 exceeds max_position_embeddings 512"),
                run.transcript());
        assertFalse(run.out().contains("matmul"), run.transcript());
    }
}
