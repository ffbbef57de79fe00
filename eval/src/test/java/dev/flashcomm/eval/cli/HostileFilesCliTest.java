package dev.flashcomm.eval.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.flashcomm.eval.sweep.Shard;
import dev.flashcomm.eval.sweep.SweepOutputs;
import dev.flashcomm.eval.sweep.TestProvenance;
import dev.flashcomm.eval.sweep.TinySweep;
import dev.flashcomm.results.BaselineComparison;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.results.ResultsCsv;
import dev.flashcomm.results.ResultsJson;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 28: files in the places flashcomm reads and locks that would hang it (FIFOs) or fill its heap (/dev/zero,
 * sparse files of gigabytes). Each is one line naming the file, exit 2, and the file is left as it was.
 */
class HostileFilesCliTest {

    @TempDir
    Path tmp;

    private static final ResultRow FP16 = GateCommandTest.row("fp16", "piqa", "acc", 0.5);
    private static final ResultRow INT4 = GateCommandTest.row("int4-asym-g128", "piqa", "acc", 0.25);

    /** Exit 2, the last stderr line names every fragment, no stack trace. */
    static String assertBadInput(CliRun run, String... fragments) {
        assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run::transcript);
        List<String> lines = run.errLines();
        String last = lines.get(lines.size() - 1);
        assertTrue(last.startsWith("flashcomm: "), run::transcript);
        for (String f : fragments) {
            assertTrue(last.contains(f), () -> "stderr should contain '" + f + "'\n" + run.transcript());
        }
        assertFalse(run.err().contains("Exception") || run.err().contains("\tat "), run::transcript);
        return last;
    }

    private Path corpus() throws IOException {
        Path file = tmp.resolve("corpus.txt");
        return Files.exists(file) ? file : StoriesFixture.writeCorpus(file, 80);
    }

    private Path results(Path dir) {
        Path csv = dir.resolve("results.csv");
        ResultsCsv.write(csv, BaselineComparison.compare(List.of(FP16, INT4), Map.of(), "fp16"));
        return csv;
    }

    private static boolean isFifo(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
    }

    // ---- 1. the per-cell lock

    @Test
    void aFifoAtACellsLockIsRefusedNotWaitedOn() throws Exception {
        Path out = tmp.resolve("out");
        String[] sweep = {"sweep", "--model", StoriesFixture.original().toString(), "--comm", "int4", "--ppl",
            corpus().toString(), "--seq-len", "64", "--max-windows", "1", "--out", out.toString()};
        CliRun first = CliRun.of(sweep);
        assertEquals(ExitCodes.OK, first.exitCode(), first::transcript);
        Path lock;
        try (Stream<Path> files = Files.list(out.resolve("cache"))) {
            lock = files.filter(f -> f.toString().endsWith(".lock")).findFirst().orElseThrow();
        }
        String hash = lock.getFileName().toString().replace(".lock", "");
        Files.delete(out.resolve("cache").resolve(hash + ".json")); // so the cell is measured, under its lock
        Files.delete(lock);
        HangGuard.fifo(lock);
        CliRun run = HangGuard.run(() -> CliRun.of(sweep), lock);
        assertBadInput(run, lock.toString(), "FIFO", "lock");
        assertTrue(isFifo(lock), "the FIFO is left as it was");
    }

    // ---- 3. the samples log over an input

    @Test
    void aTaskFileWhereTheSamplesLogWritesIsRefusedAndKept() throws Exception {
        Path out = tmp.resolve("out");
        Path task = Files.createDirectories(out.resolve("samples")).resolve("stories260K_tp2_fp16_arc_easy.jsonl");
        Files.copy(TinySweep.demo("tasks/arc/arc_easy_test.jsonl"), task);
        byte[] before = Files.readAllBytes(task);
        CliRun run = CliRun.of("sweep", "--model", StoriesFixture.original().toString(), "--comm", "int4",
                "--task-file", "arc_easy=" + task, "--limit", "2", "--log-samples", "--out", out.toString());
        assertBadInput(run, "--log-samples samples/stories260K_tp2_fp16_arc_easy.jsonl and the arc_easy data name "
                + "the same file");
        assertArrayEquals(before, Files.readAllBytes(task), "the task file is intact");
        assertFalse(Files.exists(out.resolve("cache")), "refused before any cell");

        // the same file without --log-samples is only read
        CliRun plain = CliRun.of("sweep", "--model", StoriesFixture.original().toString(), "--comm", "int4",
                "--task-file", "arc_easy=" + task, "--limit", "2", "--out", out.toString());
        assertEquals(ExitCodes.OK, plain.exitCode(), plain::transcript);
    }

    @Test
    void aGenerationTaskFileWhereGenerationsJsonlGoesIsRefused() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Path task = out.resolve("generations.jsonl");
        Files.writeString(task, "{\"question\": \"What is 1+1?\", \"answer\": \"1+1=2\\n#### 2\"}\n");
        CliRun run = CliRun.of("sweep", "--model", StoriesFixture.original().toString(), "--comm", "int4",
                "--task-file", "gsm8k=" + task, "--num-fewshot", "0", "--out", out.toString());
        assertBadInput(run, "--out generations.jsonl and the gsm8k data name the same file");
        assertTrue(Files.readString(task).startsWith("{\"question\""), "the task file is intact");
    }

    // ---- 13. what a killed cache write leaves

    @Test
    void aRerunRemovesTheTemporaryEntryAKilledWriterLeft() throws Exception {
        Path out = tmp.resolve("out");
        String[] sweep = {"sweep", "--model", StoriesFixture.original().toString(), "--comm", "int4", "--ppl",
            corpus().toString(), "--seq-len", "64", "--max-windows", "1", "--out", out.toString()};
        assertEquals(ExitCodes.OK, CliRun.of(sweep).exitCode());
        Path cache = out.resolve("cache");
        Path entry;
        try (Stream<Path> files = Files.list(cache)) {
            entry = files.filter(f -> f.toString().endsWith(".json")).findFirst().orElseThrow();
        }
        // kill -9 between the temporary file's first bytes and the move: no entry, half a temporary file
        Path leftover = entry.resolveSibling(entry.getFileName() + ".0b7c3a57-1f7e-4f3e-9d2a-6a1c1f0c2e11.tmp");
        Files.writeString(leftover, "{\"format\": 2, \"cell\": \"half");
        Files.delete(entry);
        CliRun rerun = CliRun.of(sweep);
        assertEquals(ExitCodes.OK, rerun.exitCode(), rerun::transcript);
        assertFalse(Files.exists(leftover), "the interrupted write's temporary file is gone");
        assertTrue(Files.isRegularFile(entry), "the cell was measured and cached again");
        try (Stream<Path> files = Files.list(cache)) {
            assertEquals(List.of(), files.filter(f -> f.toString().endsWith(".tmp")).toList());
        }
    }

    // ---- 2. results.json beside a CSV

    @Test
    void aFifoAsResultsJsonDoesNotHangReport() throws Exception {
        results(tmp);
        Path json = HangGuard.fifo(tmp.resolve("results.json"));
        CliRun run = HangGuard.run(() -> CliRun.of("report", "--dir", tmp.toString()), json);
        assertBadInput(run, json.toString(), "not a regular file");
        assertTrue(isFifo(json));
    }

    @Test
    void aFifoBesideAJoinedFileDoesNotHangMerge() throws Exception {
        Path csv = results(tmp);
        Path json = HangGuard.fifo(tmp.resolve("results.json"));
        Path out = tmp.resolve("merged.csv");
        CliRun run = HangGuard.run(() -> CliRun.of("merge", "--out", out.toString(), csv.toString()), json);
        assertBadInput(run, json.toString(), "not a regular file");
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void aFifoAsAShardsJsonDoesNotHangMergeDir() throws Exception {
        writeParts(tmp);
        Path json = tmp.resolve("results.part-2-of-2.json");
        Files.delete(json);
        HangGuard.fifo(json);
        CliRun run = HangGuard.run(() -> CliRun.of("merge", "--dir", tmp.toString()), json);
        assertBadInput(run, json.toString(), "not a regular file");
        assertFalse(Files.exists(tmp.resolve("results.csv")));
    }

    @Test
    void aFifoAsAShardsCsvOrGenerationsDoesNotHangMergeDir() throws Exception {
        writeParts(tmp);
        Path csv = tmp.resolve("results.part-1-of-2.csv");
        Files.delete(csv);
        HangGuard.fifo(csv);
        CliRun run = HangGuard.run(() -> CliRun.of("merge", "--dir", tmp.toString()), csv);
        assertBadInput(run, csv.toString(), "not a regular file");

        writeParts(tmp.resolve("g"));
        Path generations = HangGuard.fifo(tmp.resolve("g/generations.part-1-of-2.jsonl"));
        CliRun gen = HangGuard.run(() -> CliRun.of("merge", "--dir", tmp.resolve("g").toString()), generations);
        assertBadInput(gen, generations.toString(), "not a regular file");
    }

    private static void writeParts(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> plan = Stream.of(FP16, INT4).map(SweepOutputs::cellOf).toList();
        SweepOutputs.writePart(dir, new Shard(1, 2), new SweepOutputs.Measurements(List.of(FP16), Map.of()), "fp16",
                TestProvenance.of("flashcomm sweep --shard 1/2"), plan);
        SweepOutputs.writePart(dir, new Shard(2, 2), new SweepOutputs.Measurements(List.of(INT4), Map.of()), "fp16",
                TestProvenance.of("flashcomm sweep --shard 2/2"), plan);
    }

    // ---- 10. endless and enormous results files

    @Test
    void resultsJsonLinkedToDevZeroIsRefusedAtOnce() throws Exception {
        Path zero = Path.of("/dev/zero");
        assumeTrue(Files.exists(zero));
        Path csv = results(tmp);
        Path json = Files.createSymbolicLink(tmp.resolve("results.json"), zero);
        assertBadInput(CliRun.of("report", "--dir", tmp.toString()), json.toString(), "not a regular file");
        assertBadInput(CliRun.of("merge", "--out", tmp.resolve("m.csv").toString(), csv.toString()),
                json.toString(), "not a regular file");
        assertTrue(Files.isSymbolicLink(json));
    }

    @Test
    void aShardPartLinkedToDevZeroIsRefusedAtOnce() throws Exception {
        Path zero = Path.of("/dev/zero");
        assumeTrue(Files.exists(zero));
        writeParts(tmp);
        Path json = tmp.resolve("results.part-1-of-2.json");
        Files.delete(json);
        Files.createSymbolicLink(json, zero);
        assertBadInput(CliRun.of("merge", "--dir", tmp.toString()), json.toString(), "not a regular file");
    }

    @Test
    void sparseFilesOfGigabytesAreRefusedWithoutReadingThem() throws Exception {
        Path csv = sparse(tmp.resolve("results.csv"), 8L << 30);
        assertBadInput(CliRun.of("gate", "--results", csv.toString(), "--max-acc-drop", "1"), csv.toString());
        assertBadInput(CliRun.of("report", "--dir", tmp.toString()), csv.toString());
        assertBadInput(CliRun.of("merge", "--out", tmp.resolve("m.csv").toString(), csv.toString()),
                csv.toString());

        Path dir = Files.createDirectories(tmp.resolve("j"));
        results(dir);
        Path json = sparse(dir.resolve("results.json"), 1L << 30);
        assertBadInput(CliRun.of("report", "--dir", dir.toString()), json.toString(), "larger than 256 MiB");
    }

    @Test
    void aSmallFileWithoutLineEndsCostsOneLineOfMemory() throws Exception {
        // 64 MiB of NULs: under every size limit, so the line-length limit has to stop it
        Path csv = sparse(tmp.resolve("results.csv"), 64L << 20);
        assertBadInput(CliRun.of("gate", "--results", csv.toString(), "--max-acc-drop", "1"),
                csv + ":1: longer than");
    }

    private static Path sparse(Path file, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
        return file;
    }

    @Test
    void theReadersStillTakeWhatTheyWrote() {
        Path csv = results(tmp);
        ResultsJson.write(ResultsJson.besideCsv(csv), ResultsCsv.read(csv), Map.of(), "fp16",
                TestProvenance.of("flashcomm sweep"));
        CliRun run = CliRun.of("report", "--dir", tmp.toString());
        assertEquals(ExitCodes.OK, run.exitCode(), run::transcript);
    }
}
