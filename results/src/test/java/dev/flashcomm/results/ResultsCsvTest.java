package dev.flashcomm.results;

import static dev.flashcomm.results.Rows.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsCsvTest {

    private static final String HEADER = String.join(",", Stream.of(Column.values()).map(Enum::name).toList());

    private static List<ResultRow> sampleRows() {
        ResultRow base = new ResultRow("llama3-tiny", 2, "fp16", "fake", "ppl:wikitext2", "perplexity",
                23.456789012345678, 0.125, 289_076, OptionalDouble.of(23.456789012345678), OptionalDouble.of(0),
                OptionalDouble.of(0), OptionalDouble.empty(), "", 1_048_576, 12.5, "gptq-ppl seq_len=256", 0,
                "seq_len=256;note=\"quoted, with comma\"", "0.1.0");
        ResultRow variant = ResultRow.measured("llama3-tiny", 2, "int4-asym-g128", "ring", "piqa", "acc_norm",
                0.6120, Double.NaN, 1838, 1 << 18, 0.0, "lm-eval 0-shot", 1, "a=1;b=x,y;\nmultiline=ok", "0.1.0")
                .withComparison(0.6250, OptionalDouble.of(1e-7), Significance.MCNEMAR);
        return List.of(base, variant, row("qwen3-tiny", 8, "int8-asym-g128", "piqa", "acc", 0.5));
    }

    @Test
    void roundTripKeepsEveryValue(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("results.csv");
        List<ResultRow> rows = sampleRows();
        ResultsCsv.write(file, rows);

        assertEquals(rows, ResultsCsv.read(file));
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals(HEADER, lines.get(0), "the header is the first line: no comment lines above it");
        // no baseline for the third row and no stderr: empty cells, not "NaN"
        assertTrue(lines.get(lines.size() - 1).startsWith("qwen3-tiny,8,int8-asym-g128,fake,piqa,acc,0.5,,100,,,,,,"),
                lines.get(lines.size() - 1));
    }

    @Test
    void writeIsAtomicAndLeavesNoTemporaryFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("results.csv");
        ResultsCsv.write(file, sampleRows());
        ResultsCsv.write(file, sampleRows().subList(0, 1)); // replaces the earlier file
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
        assertEquals(1, ResultsCsv.read(file).size());
    }

    @Test
    void failedWriteKeepsTheOldFileAndRemovesTheTemporaryOne(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("results.csv");
        ResultsCsv.write(file, sampleRows());
        byte[] before = Files.readAllBytes(file);
        CsvFiles.RecordWriter crashing = printer -> {
            printer.printRecord("half", "a", "row");
            throw new IllegalStateException("simulated crash");
        };
        assertThrows(IllegalStateException.class,
                () -> CsvFiles.writeAtomically(file, CsvFiles.writeFormat(Column.class), crashing));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
        assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(file));
    }

    @Test
    void writeIntoMissingDirectoryIsAOneLineError(@TempDir Path dir) {
        Path file = dir.resolve("nope/results.csv");
        ResultsException e = assertThrows(ResultsException.class, () -> ResultsCsv.write(file, sampleRows()));
        assertEquals(file + ": cannot write: directory " + dir.resolve("nope") + " does not exist", e.getMessage());
    }

    /**
     * What pandas.read_csv(path) with its defaults, a spreadsheet or any RFC 4180 tool sees: a reader that knows
     * nothing about comments takes the first line as the header and every other line as a record of that width.
     */
    @Test
    void aReaderThatKnowsNoCommentsReadsTheFiles(@TempDir Path dir) throws IOException {
        Path results = dir.resolve("results.csv");
        ResultsCsv.write(results, sampleRows());
        Path items = dir.resolve("items.csv");
        ItemsCsv.write(items, java.util.Map.of(new CellKey("m", 2, "fp16", "piqa", "acc"),
                List.of(new ItemScore(0, 1, 1), new ItemScore(1, 0, 1))));
        org.apache.commons.csv.CSVFormat plain = org.apache.commons.csv.CSVFormat.RFC4180.builder()
                .setHeader().setSkipHeaderRecord(true).get();
        for (Path file : List.of(results, items)) {
            try (org.apache.commons.csv.CSVParser parser = org.apache.commons.csv.CSVParser.parse(file,
                    StandardCharsets.UTF_8, plain)) {
                List<org.apache.commons.csv.CSVRecord> records = parser.getRecords();
                int columns = parser.getHeaderNames().size();
                assertTrue(parser.getHeaderNames().stream().noneMatch(h -> h.startsWith("#")), file::toString);
                assertEquals(file.equals(results) ? 3 : 2, records.size(), file::toString);
                records.forEach(r -> assertEquals(columns, r.size(), file + " record " + r.getRecordNumber()));
            }
        }
        try (org.apache.commons.csv.CSVParser parser = org.apache.commons.csv.CSVParser.parse(results,
                StandardCharsets.UTF_8, plain)) {
            org.apache.commons.csv.CSVRecord second = parser.getRecords().get(1);
            assertEquals("0.612", second.get("VALUE"));
            assertEquals("a=1;b=x,y;\nmultiline=ok", second.get("SETTINGS"), "quoted cells survive");
        }
    }

    /** Files written before results.json existed began with {@code #} lines; gate and merge still read them. */
    @Test
    void legacyCommentLinesAboveTheHeaderAreSkipped(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("old.csv");
        Files.writeString(file, "# flashcomm 0.1.0\n# command: flashcomm sweep --model m\n" + HEADER + "\n"
                + goodLine() + "\n" + goodLine().replace(",fp16,", ",int8-asym-g128,") + "\n");
        List<ResultRow> rows = ResultsCsv.read(file);
        assertEquals(2, rows.size());
        assertEquals("int8-asym-g128", rows.get(1).comm());
        Path items = Files.writeString(dir.resolve("old-items.csv"), "# flashcomm 0.1.0\n"
                + "MODEL,TP,COMM,TASK,METRIC,ITEM,VALUE,WEIGHT\nm,2,fp16,piqa,acc,3,1,1\n");
        assertEquals(1, ItemsCsv.read(items).values().iterator().next().size());
    }

    /** Only lines above the header are legacy comments: a model named "#1" below it is data, not a comment. */
    @Test
    void aCellStartingWithHashIsData(@TempDir Path dir) {
        Path file = dir.resolve("hash.csv");
        ResultRow row = ResultRow.measured("#1", 2, "fp16", "fake", "piqa", "acc", 0.5, 0.01, 100, 4096, 1.5,
                "lm-eval 0-shot", 1, "", "0.1.0");
        ResultsCsv.write(file, List.of(row));
        assertEquals(List.of(row), ResultsCsv.read(file));
    }

    private static String goodLine() {
        return "m,2,fp16,fake,piqa,acc,0.5,0.01,100,,,,,,4096,1.5,lm-eval 0-shot,1,,0.1.0";
    }

    @Test
    void badNumberNamesFileLineAndColumn(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.csv");
        Files.writeString(file, "# comment\n" + HEADER + "\n" + goodLine() + "\n"
                + goodLine().replace(",0.5,", ",0.5x,") + "\n");
        ResultsException e = assertThrows(ResultsException.class, () -> ResultsCsv.read(file));
        assertEquals(file + ":4: VALUE: bad number '0.5x'", e.getMessage());
    }

    @Test
    void invalidRowNamesFileAndLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.csv");
        Files.writeString(file, HEADER + "\n" + goodLine().replace(",fake,", ",carrier-pigeon,") + "\n");
        ResultsException e = assertThrows(ResultsException.class, () -> ResultsCsv.read(file));
        assertEquals(file + ":2: comm path must be one of fake, packed, ring; got 'carrier-pigeon'", e.getMessage());
    }

    @Test
    void shortRecordNamesFileAndLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("short.csv");
        Files.writeString(file, HEADER + "\n" + goodLine() + "\nm,2,fp16\n");
        ResultsException e = assertThrows(ResultsException.class, () -> ResultsCsv.read(file));
        assertEquals(file + ":3: expected 20 cells, found 3", e.getMessage());
    }

    @Test
    void emptyFileAndMissingColumnAreReported(@TempDir Path dir) throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.csv"), "");
        assertEquals(empty + ": empty file, expected a header line",
                assertThrows(ResultsException.class, () -> ResultsCsv.read(empty)).getMessage());

        Path missing = Files.writeString(dir.resolve("missing.csv"),
                HEADER.replace(",P_VALUE", "").replace(",TOOL_VERSION", "") + "\n");
        assertEquals(missing + ": missing columns P_VALUE, TOOL_VERSION",
                assertThrows(ResultsException.class, () -> ResultsCsv.read(missing)).getMessage());

        Path absent = dir.resolve("absent.csv");
        assertEquals(absent + ": no such file",
                assertThrows(ResultsException.class, () -> ResultsCsv.read(absent)).getMessage());
    }

    @Test
    void columnsAreFoundByNameInAnyOrder(@TempDir Path dir) throws IOException {
        List<String> names = new java.util.ArrayList<>(Stream.of(Column.values()).map(Enum::name).toList());
        java.util.Collections.reverse(names);
        names.add("EXTRA");
        String[] cells = goodLine().split(",", -1);
        List<String> reversed = new java.util.ArrayList<>(List.of(cells));
        java.util.Collections.reverse(reversed);
        reversed.add("ignored");
        Path file = Files.writeString(dir.resolve("reordered.csv"),
                String.join(",", names) + "\n" + String.join(",", reversed) + "\n");
        ResultRow expected = ResultRow.measured("m", 2, "fp16", "fake", "piqa", "acc", 0.5, 0.01, 100, 4096, 1.5,
                "lm-eval 0-shot", 1, "", "0.1.0");
        assertEquals(List.of(expected), ResultsCsv.read(file));
    }

    @Test
    void itemsRoundTripAndRejectRepeatedItems(@TempDir Path dir) throws IOException {
        CellKey acc = new CellKey("m", 2, "fp16", "piqa", "acc");
        CellKey ppl = new CellKey("m", 2, "fp16", "ppl:wikitext2", "perplexity");
        java.util.Map<CellKey, List<ItemScore>> items = java.util.Map.of(
                ppl, List.of(new ItemScore(0, 812.25, 255), new ItemScore(1, 0.1 + 0.2, 255)),
                acc, List.of(new ItemScore(3, 1, 1), new ItemScore(1, 0, 1)));
        Path file = dir.resolve("items.csv");
        ItemsCsv.write(file, items);

        assertEquals(items, ItemsCsv.read(file));
        assertEquals(List.of(acc, ppl), List.copyOf(ItemsCsv.read(file).keySet()), "cells in a fixed order");
        assertEquals(List.of("MODEL,TP,COMM,TASK,METRIC,ITEM,VALUE,WEIGHT",
                "m,2,fp16,piqa,acc,3,1.0,1", "m,2,fp16,piqa,acc,1,0.0,1",
                "m,2,fp16,ppl:wikitext2,perplexity,0,812.25,255",
                "m,2,fp16,ppl:wikitext2,perplexity,1,0.30000000000000004,255"), Files.readAllLines(file));

        Path repeated = Files.writeString(dir.resolve("repeated.csv"),
                "MODEL,TP,COMM,TASK,METRIC,ITEM,VALUE,WEIGHT\nm,2,fp16,piqa,acc,3,1,1\nm,2,fp16,piqa,acc,3,0,1\n");
        assertEquals(repeated + ":3: item 3 listed twice for m tp=2 fp16 piqa acc",
                assertThrows(ResultsException.class, () -> ItemsCsv.read(repeated)).getMessage());

        Path zeroWeight = Files.writeString(dir.resolve("zero.csv"),
                "MODEL,TP,COMM,TASK,METRIC,ITEM,VALUE,WEIGHT\nm,2,fp16,piqa,acc,3,1,0\n");
        assertEquals(zeroWeight + ":2: item 3: weight must be >= 1, got 0",
                assertThrows(ResultsException.class, () -> ItemsCsv.read(zeroWeight)).getMessage());
    }
}
