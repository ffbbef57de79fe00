package dev.flashcomm.eval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashcomm.datasets.TaskRegistry;
import dev.flashcomm.eval.sweep.TinySweep;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flashcomm sweep} on bad input: exit 2 and one line on stderr naming the file or option, no stack trace, and
 * (for everything the planner can check) before any cell is measured.
 */
class SweepCommandErrorsTest {

    @TempDir
    Path tmp;

    private Path out() {
        return tmp.resolve("out");
    }

    private CliRun sweep(String... extra) {
        List<String> args = new ArrayList<>(List.of("sweep", "--model", TinySweep.model().toString(), "--comm",
                "int4", "--limit", "2", "--out", out().toString()));
        args.addAll(Arrays.asList(extra));
        return CliRun.of(args.toArray(new String[0]));
    }

    private Path write(String name, String content) throws IOException {
        Path f = tmp.resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }

    /** Exit 2, one line "flashcomm: ..." with every fragment, and no cell measured. */
    private void assertBadInput(CliRun run, String... fragments) {
        assertEquals(2, run.exitCode(), run.transcript());
        assertEquals(1, run.errLines().size(), run.transcript());
        String line = run.errLines().get(0);
        assertTrue(line.startsWith("flashcomm: "), line);
        for (String f : fragments) {
            assertTrue(line.contains(f), "expected '" + f + "' in: " + line);
        }
        assertFalse(Files.exists(out().resolve("cache")), "nothing may be measured before the input is checked");
    }

    @Test
    void unknownTask() {
        CliRun run = sweep("--tasks", "piqa,pica", "--data-root", TinySweep.demo("tasks").toString());
        assertBadInput(run, "unknown task or group 'pica'; known: " + String.join(", ", TaskRegistry.names()) + ", gsm8k, groups mmlu, mmlu_stem, mmlu_humanities, mmlu_social_sciences, mmlu_other, "
                + "mmlu_<subject> for the 57 subjects");
    }

    @Test
    void aTaskFileGivenTwiceForOneTaskIsRefusedNotTheLastKept() throws IOException {
        Path a = write("a.txt", "Once upon a time\n");
        Path b = write("b.txt", "One day\n");
        assertBadInput(sweep("--task-file", "agreement:p=" + a, "--task-file", "agreement:p=" + b),
                "--task-file agreement:p is given twice (" + a + " and " + b + "); give each once");
        assertBadInput(sweep("--task-file", "piqa=" + a, "--task-file", "piqa=" + a), "--task-file piqa is given twice");
        assertBadInput(sweep("--tasks", "gsm8k", "--data-root", TinySweep.demo("tasks").toString(), "--fewshot-file",
                "gsm8k=" + a, "--fewshot-file", "gsm8k=" + b), "--fewshot-file gsm8k is given twice");
        assertBadInput(sweep("--task-file", "piqa"), "--task-file piqa: expected KEY=FILE");
    }

    @Test
    void emptyTaskFile() throws IOException {
        Path empty = write("mine/piqa.jsonl", "");
        assertBadInput(sweep("--task-file", "piqa=" + empty), empty + ": no items");
    }

    @Test
    void piqaLabelOutOfRange() throws IOException {
        Path file = write("mine/piqa.jsonl", """
                {"goal": "To dry wet socks,", "sol1": "hang them in the sun.", "sol2": "put them in a pond.", "label": 0}
                {"goal": "To cool hot soup,", "sol1": "blow on it gently.", "sol2": "add a hot stone.", "label": 7}
                """);
        assertBadInput(sweep("--task-file", "piqa=" + file), file + ":2: ", "\"label\"", "7", "out of range");
    }

    @Test
    void malformedLineNamesFileAndLine() throws IOException {
        Path file = write("mine/piqa.jsonl", """
                {"goal": "To dry wet socks,", "sol1": "hang them in the sun.", "sol2": "put them in a pond.", "label": 0}
                {"goal": "To dry wet socks,", "sol1": "hang them
                """);
        assertBadInput(sweep("--task-file", "piqa=" + file), file + ":2: ");
    }

    @Test
    void taskFileThatTheModelCannotScoreIsNamedWithItsItem() throws IOException {
        // a 600-word continuation does not fit the model's 512 positions: found while encoding, after the model loaded
        Path file = write("mine/lambada.jsonl", "{\"context\": \"The end of a long story:\", \"continuation\": \""
                + "word ".repeat(600).strip() + "\"}\n");
        CliRun run = sweep("--task-file", "lambada_openai=" + file);
        assertEquals(2, run.exitCode(), run.transcript());
        List<String> errors = run.errLines().stream().filter(l -> l.startsWith("flashcomm: ")).toList();
        assertEquals(1, errors.size(), run.transcript());
        assertTrue(errors.get(0).startsWith("flashcomm: " + file + ": lambada_openai item 0, choice 0: "),
                errors.get(0));
        assertFalse(run.err().contains("\tat "), run.transcript());
    }

    @Test
    void tasksWithoutDataRoot() {
        assertBadInput(sweep("--tasks", "piqa"), "--data-root is required for piqa");
    }

    @Test
    void agreementTasksAreCheckedBeforeAnyCell() throws IOException {
        Path prompts = write("prompts.txt", "Once upon a time\n");
        assertBadInput(sweep("--task-file", "agreement:=" + prompts), "--task-file agreement:",
                "an agreement task is named agreement:NAME");
        assertBadInput(sweep("--task-file", "agreement:s=" + prompts, "--max-new-tokens", "0"),
                "--max-new-tokens must be at least 1, got 0");
        assertBadInput(sweep("--task-file", "agreement:s=" + prompts, "--max-new-tokens", "512"),
                prompts + ": prompt 1: ", "exceed max_position_embeddings 512");
        Path bad = write("bad.jsonl", "{\"prompt\": \"a\"}\n{\"prompt\": null}\n");
        assertBadInput(sweep("--task-file", "agreement:s=" + bad), bad + ":2: ");
        assertBadInput(sweep("--task-file", "agreement:s=" + tmp.resolve("none.txt")), "none.txt");
    }

    @Test
    void nothingToMeasure() {
        assertBadInput(sweep(), "nothing to measure: give --tasks and/or --ppl");
    }

    @Test
    void missingCorpus() {
        Path missing = tmp.resolve("no-such.txt");
        assertBadInput(sweep("--ppl", "x=" + missing), missing.toString(), "not found");
    }

    @Test
    void corpusShorterThanOneWindow() throws IOException {
        Path tiny = write("tiny.txt", "Once upon a time.");
        assertBadInput(sweep("--ppl", tiny.toString(), "--seq-len", "64"), tiny.toString(), "shorter than one window");
    }

    @Test
    void tpBeyondTheHeads() throws IOException {
        Path text = write("t.txt", "Once upon a time there was a cat. ".repeat(50));
        assertBadInput(sweep("--ppl", text.toString(), "--tp", "2,16"),
                TinySweep.model().resolve("config.json").toString(), "--tp 16 is not possible");
    }

    @Test
    void seqLenBeyondMaxPositions() throws IOException {
        Path text = write("t.txt", "Once upon a time there was a cat. ".repeat(50));
        assertBadInput(sweep("--ppl", text.toString(), "--seq-len", "1024"),
                "--seq-len 1024 exceeds max_position_embeddings 512");
    }

    @Test
    void missingModelDirectory() throws IOException {
        Path text = write("t.txt", "Once upon a time there was a cat. ".repeat(50));
        Path missing = tmp.resolve("no-model");
        CliRun run = CliRun.of("sweep", "--model", TinySweep.model().toString(), "--model", missing.toString(),
                "--ppl", text.toString(), "--out", out().toString());
        assertBadInput(run, missing.toString(), "not a directory");
    }

    @Test
    void badShardIsAUsageError() throws IOException {
        Path text = write("t.txt", "Once upon a time there was a cat. ".repeat(50));
        assertBadInput(sweep("--ppl", text.toString(), "--shard", "3/2"), "shard 3/2 is not possible",
                "see 'flashcomm sweep --help'");
    }
    private Path gsm8k(String name, int items) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < items; i++) {
            b.append("{\"question\": \"What is ").append(i).append(" + 1?\", \"answer\": \"It is ").append(i + 1)
                    .append(".\\n#### ").append(i + 1).append("\"}\n");
        }
        return write(name, b.toString());
    }

    @Test
    void aGenerationCapThatLeavesNoRoomForThePrompt() throws IOException {
        Path q = gsm8k("q.jsonl", 8);
        assertBadInput(sweep("--task-file", "gsm8k=" + q, "--num-fewshot", "0", "--max-gen-toks", "512"),
                "gsm8k: max_gen_toks 512 leaves no room for a prompt in max_position_embeddings 512 of ",
                "config.json; lower --max-gen-toks");
    }

    @Test
    void fewshotPoolsTooSmallOrMissingAreNamed() throws IOException {
        Path q = gsm8k("q.jsonl", 3);
        assertBadInput(sweep("--task-file", "gsm8k=" + q),
                q + ": 5-shot prompts need 6 examples (one more is drawn to leave the evaluated document out) but the"
                        + " file holds 3");
        Path missing = tmp.resolve("train.jsonl");
        assertBadInput(sweep("--task-file", "gsm8k=" + q, "--fewshot-file", "gsm8k=" + missing), missing.toString());
        assertBadInput(sweep("--tasks", "piqa", "--data-root", TinySweep.demo("tasks").toString(), "--fewshot-file",
                "gsm8k=" + q), "--fewshot-file gsm8k=...: gsm8k is not among the selected tasks");
    }
}
