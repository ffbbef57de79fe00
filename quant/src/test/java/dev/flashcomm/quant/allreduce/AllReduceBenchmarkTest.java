package dev.flashcomm.quant.allreduce;

import dev.flashcomm.quant.CommFormat;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AllReduceBenchmarkTest {

    @Test
    void reportsOneResultPerFormatInOrder() {
        List<CommFormat> formats = List.of(CommFormat.EXACT, CommFormat.parse("int4"), CommFormat.parse("int6-sym-g32"));
        List<BenchResult> results = AllReduceBenchmark.run(formats, CommPath.PACKED, 8, 256, 2, 2);
        assertEquals(3, results.size());
        for (int i = 0; i < 3; i++) {
            BenchResult r = results.get(i);
            assertEquals(formats.get(i), r.format());
            assertEquals(CommPath.PACKED, r.path());
            assertEquals(8, r.rows());
            assertEquals(2, r.ranks());
            assertTrue(r.gigabytesPerSecond() > 0);
            // GB/s is defined from the input size and the time per call
            assertEquals(2.0 * 8 * 256 * 4 / r.secondsPerCall() / 1e9, r.gigabytesPerSecond(), 1e-9 * r.gigabytesPerSecond());
        }
        // exact: an fp32 ring over 2048 elements and 2 ranks sends 2 x 1024 x 4 bytes per rank
        assertEquals(8192, results.get(0).maxBytesSentPerRank());
    }

    @Test
    void rejectsRingForNonFlashFormatsBeforeTiming() {
        assertThrows(IllegalArgumentException.class,
                () -> AllReduceBenchmark.run(List.of(CommFormat.parse("int4"), CommFormat.FP16), CommPath.RING, 4, 64, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> AllReduceBenchmark.run(List.of(CommFormat.EXACT), CommPath.FAKE, 0, 64, 2, 1));
    }
}
