package dev.flashcomm.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The diagnostics table's EXPERT_LOAD column: written, read back as written, refused when malformed. */
class CommErrorsCsvTest {

    static final String HEADER = "MODEL,TP,COMM,COMM_PATH,DATA,LAYER,SITE,FORMAT,ELEMENTS,REL_L2,MAX_ABS,OVERFLOWS,"
            + "EXPERT_LOAD";

    @TempDir
    Path dir;

    @Test
    void expertLoadRoundTrips() {
        List<CommErrorRow> rows = List.of(
                new CommErrorRow("qwen3-moe-tiny", 4, "deepep-ll", "fake", "stories", 0, "attn", "bf16", 32768,
                        0.0024, 0.01, 0),
                new CommErrorRow("qwen3-moe-tiny", 4, "deepep-ll", "fake", "stories", 0, "dispatch",
                        "fp8-e4m3-g128-sfp32", 32768, 0.0256, 0.1045759916305542, 0,
                        CommErrorRow.load(new long[] {120, 98, 130, 164})),
                new CommErrorRow("qwen3-moe-tiny", 4, "deepep-ll", "fake", "stories", 0, "combine", "bf16", 131072,
                        0.00166, 0.029, 0, ""));
        Path file = dir.resolve("diagnostics.csv");
        CommErrorsCsv.write(file, rows);
        assertEquals(rows, CommErrorsCsv.read(file));
        assertEquals("120/98/130/164", CommErrorsCsv.read(file).get(1).expertLoad());
        assertEquals("", CommErrorsCsv.read(file).get(0).expertLoad(), "the all-reduce constructor leaves it empty");
    }

    @Test
    void loadCellSpellsPerRankCounts() {
        assertEquals("120/98/130/100", CommErrorRow.load(new long[] {120, 98, 130, 100}));
        assertEquals("512", CommErrorRow.load(new long[] {512}));
        assertEquals("", CommErrorRow.load(new long[0]));
    }

    /** Anything but counts separated by single slashes is refused with the file and line, and the bad cell. */
    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"12/x", "12//3", "/12", "12/", "-1/3", "1.5/2", " 12/3"})
    void malformedExpertLoadNamesTheFile(String cell) throws IOException {
        Path file = dir.resolve("diagnostics.csv");
        Files.writeString(file, HEADER + "\n"
                + "m,2,deepep-ll,fake,stories,0,attn,bf16,10,0.1,0.2,0,\n"
                + "m,2,deepep-ll,fake,stories,0,dispatch,fp8-e4m3-g128-sfp32,10,0.1,0.2,0,\"" + cell + "\"\n",
                StandardCharsets.UTF_8);
        ResultsException e = assertThrows(ResultsException.class, () -> CommErrorsCsv.read(file));
        assertTrue(e.getMessage().startsWith(file + ":3: EXPERT_LOAD must be counts separated by '/', got '"
                + cell + "'"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    /** Tables written before mixture-of-experts models had neither column; they still load, with both empty. */
    @Test
    void aTableWithoutTheExpertColumnsStillLoads() throws IOException {
        Path file = dir.resolve("old.csv");
        Files.writeString(file, "MODEL,TP,COMM,COMM_PATH,DATA,LAYER,SITE,FORMAT,ELEMENTS,REL_L2,MAX_ABS,OVERFLOWS\n"
                + "m,2,int4,fake,stories,0,attn,int4,10,0.1,0.2,0\n", StandardCharsets.UTF_8);
        CommErrorRow row = CommErrorsCsv.read(file).get(0);
        assertEquals("", row.expertLoad());
        assertTrue(Double.isNaN(row.routingChanged()));
    }

    /** A router row's ROUTING_CHANGED round-trips; other rows leave it empty; a fraction outside [0, 1] is refused. */
    @Test
    void routingChangedRoundTripsAndMustBeAFraction() throws IOException {
        Path file = dir.resolve("router.csv");
        CommErrorsCsv.write(file, List.of(
                new CommErrorRow("m", 4, "int4", "fake", "stories", 0, "attn", "int4", 10, 0.1, 0.2, 0),
                CommErrorRow.router("m", 4, "int4", "fake", "stories", 0, 4096, 0.1875)));
        List<CommErrorRow> back = CommErrorsCsv.read(file);
        assertTrue(Double.isNaN(back.get(0).routingChanged()));
        assertEquals(0.1875, back.get(1).routingChanged());
        assertEquals(CommErrorRow.ROUTER, back.get(1).site());
        assertEquals(4096, back.get(1).elements());
        String text = Files.readString(file).replace("0.1875", "1.5");
        Files.writeString(file, text);
        ResultsException e = assertThrows(ResultsException.class, () -> CommErrorsCsv.read(file));
        assertTrue(e.getMessage().startsWith(file + ":3: ROUTING_CHANGED must be a fraction"), e.getMessage());
    }
}
