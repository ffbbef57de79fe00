package dev.flashcomm.eval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashcomm.eval.sweep.SweepConfig;
import dev.flashcomm.eval.sweep.TinySweep;
import dev.flashcomm.results.CommErrorRow;
import dev.flashcomm.results.CommErrorsCsv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's diagnostics table: every format's error per layer and site, measured once. */
class DemoDiagnosticsTest {

    @Test
    void measuresEveryFormatPerLayerAndSiteOnce(@TempDir Path tmp) throws Exception {
        SweepConfig config = TinySweep.config(tmp);
        Path file = DemoDiagnostics.write(config, 64).orElseThrow();
        assertEquals(tmp.resolve("diagnostics.csv"), file);
        List<CommErrorRow> rows = CommErrorsCsv.read(file);
        assertEquals(2 * 4 * 2, rows.size(), "fp16 and int4, 4 layers, attention and MLP");
        for (CommErrorRow int4 : rows.stream().filter(r -> r.comm().equals("int4-asym-g128")).toList()) {
            CommErrorRow fp16 = rows.stream().filter(r -> r.comm().equals("fp16") && r.layer() == int4.layer()
                    && r.site().equals(int4.site())).findFirst().orElseThrow();
            assertTrue(int4.relativeL2() > 10 * fp16.relativeL2(), int4 + " vs " + fp16);
            assertTrue(fp16.relativeL2() > 0, "fp16 rounds too: " + fp16);
        }
        FileTime written = Files.getLastModifiedTime(file);
        Files.setLastModifiedTime(file, FileTime.fromMillis(written.toMillis() - 60_000));
        DemoDiagnostics.write(config, 64);
        assertEquals(written.toMillis() - 60_000, Files.getLastModifiedTime(file).toMillis(),
                "a second demo run keeps the table");
    }
}
