package dev.flashcomm.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextCorpusTest {
    static final Path SHARED = Path.of(System.getProperty("flashcomm.shared", "../shared"));

    @Test
    void rowsKeepNewlinesAndBlankWhitespaceOnlyLines() {
        String content = " = Title = \n \n\u00a0\t\nText one .\n\nLast line";
        assertEquals(List.of(" = Title = \n", "", "", "Text one .\n", "", "Last line"),
                TextCorpus.wikitextRows(content));
    }

    @Test
    void finalNewlineDoesNotAddAnEmptyRow() {
        assertEquals(List.of("a\n", "", "b\n"), TextCorpus.wikitextRows("a\n \nb\n"));
        assertEquals(List.of("a\n", "", "b"), TextCorpus.wikitextRows("a\n \nb"));
    }

    @Test
    void onlyNewlineSplitsAfterUniversalNewlineTranslation() {
        // Python text mode reads \r\n and \r as \n but does not split on U+2028 or form feed inside a line.
        assertEquals(List.of("a\n", "", "b\n", "c\n"), TextCorpus.wikitextRows("a\r\n \r\nb\rc\n"));
        assertEquals(List.of("x\u2028y\fz\n", ""), TextCorpus.wikitextRows("x\u2028y\fz\n\u2028\f\n"));
    }

    @Test
    void aCorpusLargerThanTheHeapCanHoldIsRefusedBeforeReading(@TempDir Path dir) throws Exception {
        Path big = dir.resolve("big.txt");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(Runtime.getRuntime().maxMemory() / 4 + 1); // sparse: no disk, no read
        }
        DataException e = assertThrows(DataException.class, () -> TextCorpus.plainText(big));
        assertTrue(e.getMessage().startsWith(big + ": too large to read at once"), e.getMessage());
    }

    @Test
    void wikitextJoinsRowsWithBlankLines(@TempDir Path dir) {
        Path raw = Files2.text(dir, "wiki.test.raw", " \n = A = \n \nBody .\n");
        // rows: "", " = A = \n", "", "Body .\n"
        assertEquals("\n\n = A = \n\n\n\n\nBody .\n", TextCorpus.wikitextRaw(raw));
    }

    @Test
    void wikitextWithoutFinalNewline(@TempDir Path dir) {
        Path raw = Files2.text(dir, "w.raw", "one\n\ntwo");
        // rows: "one\n", "", "two"
        assertEquals("one\n\n\n\n\ntwo", TextCorpus.wikitextRaw(raw));
    }

    @Test
    void plainTextIsReturnedAsIs(@TempDir Path dir) {
        String content = "Once upon a time.\r\n\n  The end. \u00e9\n";
        assertEquals(content, TextCorpus.plainText(Files2.text(dir, "s.txt", content)));
    }

    @Test
    void missingEmptyAndBlankFilesAreDataErrors(@TempDir Path dir) {
        Path missing = dir.resolve("nope.raw");
        DataException e = assertThrows(DataException.class, () -> TextCorpus.wikitextRaw(missing));
        assertEquals(missing + ": file not found", e.getMessage());

        Path empty = Files2.text(dir, "empty.txt", "");
        assertEquals(empty + ": empty: no text to score",
                assertThrows(DataException.class, () -> TextCorpus.plainText(empty)).getMessage());

        Path blank = Files2.text(dir, "blank.raw", " \n\u00a0\n\t");
        assertEquals(blank + ": empty: no text to score",
                assertThrows(DataException.class, () -> TextCorpus.wikitextRaw(blank)).getMessage());

        assertTrue(assertThrows(DataException.class, () -> TextCorpus.plainText(dir)).getMessage()
                .startsWith(dir + ": "));
    }

    @Test
    void invalidUtf8IsADataError(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.txt");
        Files.write(bad, new byte[] {'o', 'k', (byte) 0xff, '\n'});
        assertEquals(bad + ": not valid UTF-8",
                assertThrows(DataException.class, () -> TextCorpus.plainText(bad)).getMessage());
    }

    @Test
    void sharedWikitextTestSplitHasTheHfRowCount() throws Exception {
        Path raw = SHARED.resolve("data/wikitext-2-raw/wiki.test.raw");
        assumeTrue(Files.isRegularFile(raw), () -> "skipped: no fixtures at " + raw.toAbsolutePath());
        List<String> rows = TextCorpus.wikitextRows(Files.readString(raw));
        assertEquals(4358, rows.size(), "rows of the HF wikitext-2-raw-v1 test split");
        assertEquals(1467, rows.stream().filter(String::isEmpty).count());
        String text = TextCorpus.wikitextRaw(raw);
        int expected = rows.stream().mapToInt(String::length).sum() + 2 * (rows.size() - 1);
        assertEquals(expected, text.length());
        // Python's len("\n\n".join(rows)); the Llama-2 tokenizer encodes this text to 334,661 ids.
        assertEquals(1_294_336, text.codePointCount(0, text.length()));
    }
}
