package dev.flashcomm.eval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.flashcomm.results.ResultRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 28, item 5: a narrowing run keeps every file of the earlier run, together, and never a kept file over another. */
class KeepPreviousTest {

    @TempDir
    Path dir;

    private static ResultRow row(String task, double value) {
        return ResultRow.measured("m", 2, "fp16", "fake", task, "acc", value, 0.1, 4, 100, 1.0, "lm-eval 0-shot", 1,
                "limit=4", "0.1.0");
    }

    /** One run's files, its results.json dated as TestProvenance dates every run (so both runs share a second). */
    private void run(List<ResultRow> rows, String generations) throws IOException {
        SweepOutputs.write(dir.resolve("results.csv"), dir.resolve("items.csv"), rows, Map.of(), "fp16",
                TestProvenance.of("flashcomm sweep"));
        Files.writeString(dir.resolve("generations.jsonl"), generations);
    }

    @Test
    void twoNarrowingRunsInOneSecondKeepBothRunsWhole() throws IOException {
        run(List.of(row("piqa", 0.5), row("agreement:s", 1.0)), "{\"run\": 1}\n");
        Optional<Path> first = SweepOutputs.keepPrevious(dir, List.of(row("piqa", 0.5)));
        assertEquals(Optional.of(dir.resolve("results.20261202T000000Z.csv")), first);

        run(List.of(row("piqa", 0.5)), "{\"run\": 2}\n");
        Optional<Path> second = SweepOutputs.keepPrevious(dir, List.of(row("piqa", 0.75)));
        assertEquals(Optional.of(dir.resolve("results.20261202T000000Z-2.csv")), second);

        assertEquals(List.of("generations.20261202T000000Z-2.jsonl", "generations.20261202T000000Z.jsonl",
                "items.20261202T000000Z-2.csv", "items.20261202T000000Z.csv", "results.20261202T000000Z-2.csv",
                "results.20261202T000000Z-2.json", "results.20261202T000000Z.csv", "results.20261202T000000Z.json"),
                names());
        assertEquals("{\"run\": 1}\n", Files.readString(dir.resolve("generations.20261202T000000Z.jsonl")));
        assertEquals("{\"run\": 2}\n", Files.readString(dir.resolve("generations.20261202T000000Z-2.jsonl")));
        assertEquals(2, dev.flashcomm.results.ResultsCsv.read(first.get()).size(), "the first run's rows are intact");
    }

    @Test
    void aRunThatReproducesEverythingKeepsNothing() throws IOException {
        run(List.of(row("piqa", 0.5)), "{}\n");
        assertEquals(Optional.empty(), SweepOutputs.keepPrevious(dir, List.of(row("piqa", 0.5), row("arc", 0.2))));
        assertFalse(names().stream().anyMatch(n -> n.contains("2026")));
    }

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.matches(".*\\d{8}T\\d{6}Z.*"))
                    .sorted().toList();
        }
    }
}
