package dev.flashcomm.eval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ETA prices each remaining cell like the finished cells of the same workload. */
class SweepEtaTest {

    @Test
    void remainingCellsArePricedByTheirWorkload(@TempDir Path tmp) {
        // cells: 0 fp16 stories, 1 fp16 piqa, 2 int4 stories, 3 int4 piqa
        List<Cell> cells = SweepPlanner.plan(TinySweep.config(tmp)).cells();
        SweepEta eta = new SweepEta(cells);
        assertTrue(Double.isNaN(eta.remainingSeconds()), "nothing to go by yet");
        eta.finished(cells.get(0), 10.0);
        assertEquals(3 * 10.0, eta.remainingSeconds(), 1e-9, "only the overall mean is known");
        eta.finished(cells.get(1), 2.0);
        assertEquals(10.0 + 2.0, eta.remainingSeconds(), 1e-9);
        eta.finished(cells.get(2), 14.0);
        assertEquals(2.0, eta.remainingSeconds(), 1e-9);
        eta.finished(cells.get(3), 3.0);
        assertEquals(0.0, eta.remainingSeconds(), 1e-9);
    }
}
