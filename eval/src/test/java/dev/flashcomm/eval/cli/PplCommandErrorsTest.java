package dev.flashcomm.eval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.flashcomm.eval.cli.SafetensorsFixture.Tensor;
import dev.flashcomm.results.ResultRow;
import dev.flashcomm.results.ResultsCsv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flashcomm ppl} on bad input: exit 2 and one line on stderr, {@code "flashcomm: <file or option>: <problem>"},
 * never a stack trace. Broken model directories are writable copies of stories260K with one thing wrong.
 */
class PplCommandErrorsTest {

    @TempDir
    Path tmp;

    // ---- model directory and config.json

    @Test
    void missingModelDirectory() throws IOException {
        Path dir = tmp.resolve("no-such-model");
        CliRun run = ppl(dir, corpus(), "--seq-len", "64");
        assertBadInput(run, dir.toString(), "not a directory");
    }

    @Test
    void missingConfig() throws IOException {
        Path dir = StoriesFixture.copyTo(tmp);
        Files.delete(dir.resolve("config.json"));
        CliRun run = ppl(dir, corpus(), "--seq-len", "64");
        assertBadInput(run, dir.resolve("config.json").toString(), "not found");
    }

    @Test
    void configThatIsNotJson() throws IOException {
        Path dir = StoriesFixture.copyTo(tmp);
        Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"LlamaForCausalLM\"], hidden_size",
                StandardCharsets.UTF_8);
        CliRun run = ppl(dir, corpus(), "--seq-len", "64");
        assertBadInput(run, dir.resolve("config.json").toString(), "not valid JSON", "line 1 column");
    }

    @Test
    void configThatIsAJsonArray() throws IOException {
        Path dir = StoriesFixture.copyTo(tmp);
        Files.writeString(dir.resolve("config.json"), "[1, 2, 3]", StandardCharsets.UTF_8);
        CliRun run = ppl(dir, corpus(), "--seq-len", "64");
        assertBadInput(run, dir.resolve("config.json").toString(), "expected a JSON object, got an array");
    }

    @Test
    void configThatCannotBeRead() throws IOException {
        Path dir = StoriesFixture.copyTo(tmp);
        Files.delete(dir.resolve("config.json"));
        // a directory in its place: permissions would not stop a test running as root
        Files.createDirectory(dir.resolve("config.json"));
        CliRun run = ppl(dir, corpus(), "--seq-len", "64");
        assertBadInput(run, dir.resolve("config.json").toString());
    }

    @Test
    void unknownArchitecture() throws IOException {
        Path dir = StoriesFixture.copyTo(tmp);
        JsonObject cfg = StoriesFixture.config(dir);
        cfg.add("architectures", JsonParser.parseString("[\"GPT2LMHeadModel\"]"));
        StoriesFixture.writeConfig(dir, cfg);
        CliRun run = ppl(dir, corpus(), "--seq-len", "64");
        assertBadInput(run, dir.resolve("config.json").toString(), "unsupported architecture 'GPT2LMHeadModel'",
                "LlamaForCausalLM");
    }

    @Test
    void unsupportedRopeScaling() throws IOException {
        Path dir = StoriesFixture.copyTo(tmp);
        JsonObject cfg = StoriesFixture.config(dir);
        cfg.add("rope_scaling", JsonParser.parseString("{\"type\": \"yarn\", \"factor\": 4.0}"));
        StoriesFixture.writeConfig(dir, cfg);
        CliRun run = ppl(dir, corpus(), "--seq-len", "64");
        assertBadInput(run, dir.resolve("config.json").toString(), "rope_scaling", "'yarn'");
    }

    @Test
    void ropeScalingThatIsNotAnObject() throws IOException {
        Path dir = StoriesFixture.copyTo(tmp);
        JsonObject cfg = StoriesFixture.config(dir);
        cfg.addProperty("rope_scaling", "yarn");
        StoriesFixture.writeConfig(dir, cfg);
        CliRun run = ppl(dir, corpus(), "--seq-len", "64");
        assertBadInput(run, dir.resolve("config.json").toString(), "\"rope_scaling\" is not an object");
    }

    // ---- weights and tokenizer files

    @Test
    void missingWeights() throws IOException {
        Path dir = StoriesFixture.copyTo(tmp);
        Files.delete(dir.resolve("model.safetensors"));
        CliRun run = ppl(dir, corpus(), "--seq-len", "64");
        assertBadInput(run, dir.toString(), "no model.safetensors");
    }

    @Test
    void missingTokenizer() throws IOException {
        Path dir = StoriesFixture.copyTo(tmp);
        Files.delete(dir.resolve("tokenizer.json"));
        CliRun run = ppl(dir, corpus(), "--seq-len", "64");
        assertBadInput(run, dir.resolve("tokenizer.json").toString(), "not found");
    }

    @Test
    void corruptTokenizer() throws IOException {
        Path dir = StoriesFixture.copyTo(tmp);
        Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": \"1.0\", \"model\": {\"type\": \"BPE\"",
                StandardCharsets.UTF_8);
        CliRun run = ppl(dir, corpus(), "--seq-len", "64");
        assertBadInput(run, dir.resolve("tokenizer.json").toString(), "not a valid tokenizer");
    }

    // ---- tensors

    @Test
    void missingTensor() throws IOException {
        Path dir = StoriesFixture.copyTo(tmp);
        Map<String, Tensor> tensors = SafetensorsFixture.read(dir.resolve("model.safetensors"));
        assertTrue(tensors.remove("model.norm.weight") != null, "fixture has model.norm.weight");
        SafetensorsFixture.write(dir.resolve("model.safetensors"), tensors);
        CliRun run = ppl(dir, corpus(), "--seq-len", "64");
        assertBadInput(run, dir.resolve("model.safetensors").toString(), "'model.norm.weight'", "missing");
    }

    @Test
    void tensorOfWrongShape() throws IOException {
        Path dir = StoriesFixture.copyTo(tmp);
        Map<String, Tensor> tensors = SafetensorsFixture.read(dir.resolve("model.safetensors"));
        // hidden_size is 64; a consistent BF16 tensor of 32 values (64 bytes) has the wrong shape, not a bad header
        tensors.put("model.norm.weight", new Tensor("BF16", new long[] {32}, new byte[64]));
        SafetensorsFixture.write(dir.resolve("model.safetensors"), tensors);
        CliRun run = ppl(dir, corpus(), "--seq-len", "64");
        assertBadInput(run, dir.resolve("model.safetensors").toString(), "'model.norm.weight'", "shape [32]",
                "expected [64]");
    }

    @Test
    void tensorOfUnsupportedDtype() throws IOException {
        Path dir = StoriesFixture.copyTo(tmp);
        Map<String, Tensor> tensors = SafetensorsFixture.read(dir.resolve("model.safetensors"));
        tensors.put("model.norm.weight", new Tensor("I64", new long[] {64}, new byte[64 * 8]));
        SafetensorsFixture.write(dir.resolve("model.safetensors"), tensors);
        CliRun run = ppl(dir, corpus(), "--seq-len", "64");
        assertBadInput(run, dir.resolve("model.safetensors").toString(), "'model.norm.weight'", "dtype I64");
    }

    @Test
    void safetensorsHeaderLongerThanFile() throws IOException {
        Path dir = StoriesFixture.copyTo(tmp);
        byte[] header = "{}".getBytes(StandardCharsets.UTF_8);
        SafetensorsFixture.writeRaw(dir.resolve("model.safetensors"), 1_000_000, header, new byte[16]);
        CliRun run = ppl(dir, corpus(), "--seq-len", "64");
        assertBadInput(run, dir.resolve("model.safetensors").toString(), "declared header length does not fit",
                "26 bytes");
    }

    @Test
    void safetensorsHeaderThatIsNotJson() throws IOException {
        Path dir = StoriesFixture.copyTo(tmp);
        byte[] header = "this is not json at all".getBytes(StandardCharsets.UTF_8);
        SafetensorsFixture.writeRaw(dir.resolve("model.safetensors"), header, new byte[16]);
        CliRun run = ppl(dir, corpus(), "--seq-len", "64");
        assertBadInput(run, dir.resolve("model.safetensors").toString(), "corrupt safetensors header",
                "not valid JSON");
    }

    @Test
    void safetensorsOffsetsPastTheData() throws IOException {
        Path dir = StoriesFixture.copyTo(tmp);
        JsonObject header = new JsonObject();
        // 64 F32 values need 256 bytes; the data section below has only 16
        header.add("model.norm.weight", SafetensorsFixture.entry("F32", new long[] {64}, 0, 256));
        SafetensorsFixture.writeRaw(dir.resolve("model.safetensors"),
                header.toString().getBytes(StandardCharsets.UTF_8), SafetensorsFixture.f32(4, 1f));
        CliRun run = ppl(dir, corpus(), "--seq-len", "64");
        assertBadInput(run, dir.resolve("model.safetensors").toString(), "cover 256 bytes",
                "data section of 16 bytes", "truncated");
    }

    @Test
    void shardIndexNamingAMissingShard() throws IOException {
        Path dir = StoriesFixture.copyTo(tmp);
        Files.move(dir.resolve("model.safetensors"), dir.resolve("model-00001-of-00002.safetensors"));
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"metadata\": {}, \"weight_map\": {"
                + "\"model.embed_tokens.weight\": \"model-00001-of-00002.safetensors\","
                + "\"model.norm.weight\": \"model-00002-of-00002.safetensors\"}}", StandardCharsets.UTF_8);
        CliRun run = ppl(dir, corpus(), "--seq-len", "64");
        assertBadInput(run, dir.resolve("model-00002-of-00002.safetensors").toString(), "not found",
                "model.safetensors.index.json");
    }

    // ---- data

    @Test
    void missingDataFile() {
        Path data = tmp.resolve("no-such-corpus.txt");
        CliRun run = ppl(StoriesFixture.original(), data, "--seq-len", "64");
        assertBadInput(run, data.toString(), "not found");
    }

    @Test
    void emptyDataFile() throws IOException {
        Path data = Files.writeString(tmp.resolve("empty.txt"), "  \n\n", StandardCharsets.UTF_8);
        CliRun run = ppl(StoriesFixture.original(), data, "--seq-len", "64");
        assertBadInput(run, data.toString(), "empty");
    }

    @Test
    void dataShorterThanOneWindow() throws IOException {
        Path data = Files.writeString(tmp.resolve("short.txt"), "The cat sat down quietly.", StandardCharsets.UTF_8);
        CliRun run = ppl(StoriesFixture.original(), data, "--seq-len", "256");
        assertBadInput(run, data.toString(), "shorter than one window", "--seq-len 256");
    }

    // ---- options

    @Test
    void seqLenAboveMaxPositions() throws IOException {
        Path model = StoriesFixture.original();
        CliRun run = ppl(model, corpus(), "--seq-len", "513");
        assertBadInput(run, "--seq-len 513", "max_position_embeddings 512", model.resolve("config.json").toString());
    }

    @Test
    void tpAboveHeadCount() throws IOException {
        CliRun run = ppl(StoriesFixture.original(), corpus(), "--seq-len", "64", "--tp", "16");
        assertBadInput(run, "--tp 16", "8 attention heads");
    }

    @Test
    void tpZero() throws IOException {
        CliRun run = ppl(StoriesFixture.original(), corpus(), "--seq-len", "64", "--tp", "0");
        assertBadInput(run, "--tp", "at least 1", "[0]");
    }

    @Test
    void unknownCommFormatIsAUsageError() throws IOException {
        // parsed before any file is touched, so this needs no fixtures
        CliRun run = ppl(tmp.resolve("model"), corpus(), "--comm", "int5");
        assertBadInput(run, "--comm", "'int5'", "accepted:", "'flashcomm ppl --help'");
    }

    @Test
    void missingRequiredOptionIsAUsageError() {
        CliRun run = CliRun.of("ppl", "--model", tmp.resolve("model").toString());
        assertBadInput(run, "--data", "'flashcomm ppl --help'");
    }

    // ---- the happy path, so the error tests cannot pass by the command failing everywhere

    @Test
    void smallTensorParallelRunWritesTwoRows() throws IOException {
        Path model = StoriesFixture.original();
        Path csv = tmp.resolve("r.csv");
        CliRun run = ppl(model, corpus(), "--seq-len", "64", "--limit", "4", "--tp", "2", "--comm", "int8",
                "--baseline", "fp16", "--out", csv.toString());
        assertEquals(0, run.exitCode(), run::transcript);
        assertTrue(run.out().contains("perplexity"), run::transcript);
        assertFalse(run.err().contains("Exception"), run::transcript);
        List<ResultRow> rows = ResultsCsv.read(csv);
        assertEquals(2, rows.size(), () -> "rows in " + csv);
        for (ResultRow r : rows) {
            assertEquals("stories260K", r.model());
            assertEquals(2, r.tp());
            assertEquals("ppl:corpus", r.task());
            assertEquals("perplexity", r.metric());
            assertEquals(4 * 63, r.n(), "4 windows of 64 tokens, first token of each unscored");
            assertTrue(r.value() > 1 && Double.isFinite(r.value()), () -> "perplexity " + r.value());
        }
        ResultRow base = rows.stream().filter(r -> r.comm().equals("fp16")).findFirst().orElseThrow();
        ResultRow int8 = rows.stream().filter(r -> r.comm().startsWith("int8")).findFirst().orElseThrow();
        assertEquals(base.value(), int8.baseline().orElseThrow(), 1e-9, "the int8 row is compared with fp16");
    }

    // ---- helpers

    private Path corpus() throws IOException {
        Path file = tmp.resolve("corpus.txt");
        return Files.exists(file) ? file : StoriesFixture.writeCorpus(file, 80);
    }

    private static CliRun ppl(Path model, Path data, String... more) {
        List<String> args = new ArrayList<>(List.of("ppl", "--model", model.toString(), "--data", data.toString()));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    /** Exit 2 and exactly one {@code flashcomm: } line on stderr that contains every fragment, no stack trace. */
    private static void assertBadInput(CliRun run, String... fragments) {
        assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run::transcript);
        List<String> lines = run.errLines();
        assertEquals(1, lines.size(), () -> "exactly one line on stderr\n" + run.transcript());
        String line = lines.get(0);
        assertTrue(line.startsWith("flashcomm: "), () -> "prefix\n" + run.transcript());
        for (String f : fragments) {
            assertTrue(line.contains(f), () -> "stderr should contain '" + f + "'\n" + run.transcript());
        }
        assertFalse(run.err().contains("Exception"), () -> "exception text leaked\n" + run.transcript());
        assertFalse(run.err().contains("at dev."), () -> "stack trace leaked\n" + run.transcript());
    }
}
