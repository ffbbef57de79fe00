package dev.flashcomm.eval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The top-level command line: what a new user sees before any model is loaded. */
class FlashcommCliTest {

    @Test
    void noArgumentsIsAUsageErrorWithTheUsageOnStderr() {
        CliRun run = CliRun.of();
        assertEquals(2, run.exitCode(), run.transcript());
        assertEquals("", run.out(), run.transcript());
        assertTrue(run.err().contains("Usage: flashcomm"), run.transcript());
    }

    @Test
    void aMistypedCommandGetsADidYouMean() {
        CliRun run = CliRun.of("swep", "--out", "x");
        assertEquals(2, run.exitCode(), run.transcript());
        assertEquals(1, run.errLines().size(), run.transcript());
        assertTrue(run.errLines().get(0).contains("did you mean 'sweep'"), run.transcript());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "census --help | 'census'",
        "swep --help   | 'swep'; did you mean 'sweep'",
        "swep -h       | 'swep'; did you mean 'sweep'",
        "gate census --help | 'census' (see 'flashcomm gate --help')"})
    void anUnknownCommandWithHelpIsAUsageErrorNotTheHelp(String args, String fragment) {
        CliRun run = CliRun.of(args.split(" "));
        assertEquals(2, run.exitCode(), run.transcript());
        assertEquals("", run.out(), "no help printed: " + run.transcript());
        assertEquals(1, run.errLines().size(), run.transcript());
        assertTrue(run.errLines().get(0).startsWith("flashcomm: Unmatched argument"), run.transcript());
        assertTrue(run.errLines().get(0).contains(fragment), run.transcript());
    }

    @Test
    void helpAloneIsStillHelp() {
        CliRun run = CliRun.of("sweep", "--help");
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(run.out().startsWith("Usage: flashcomm sweep"), run.transcript());
    }

    @Test
    void aMistypedOptionGetsADidYouMean() {
        CliRun run = CliRun.of("gate", "--results", "r.csv", "--max-ppl-increase", "1%", "--max-acc-drop", "1",
                "--baseline-com", "fp16");
        assertEquals(2, run.exitCode(), run.transcript());
        assertTrue(run.errLines().get(0).contains("'--baseline-comm'?"), run.transcript());
    }

    @ParameterizedTest(name = "{0} --help")
    @ValueSource(strings = {"ppl", "generate", "bench", "sweep", "merge", "gate", "demo"})
    void everyCommandsHelpListsTheExitCodesAndKeepsFileNamesWhole(String command) {
        CliRun run = CliRun.of(command, "--help");
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(run.out().contains("Exit codes:"), run.transcript());
        for (String code : List.of("0", "1", "2", "3")) {
            assertTrue(run.out().lines().anyMatch(l -> l.strip().startsWith(code + " ")), code + "\n" + run.out());
        }
        // picocli breaks lines after a '.', which split "results.csv" into "results." and "csv"
        assertFalse(run.out().lines().anyMatch(l -> l.matches(".*\\b(results|items)\\.$")), run.out());
        assertTrue(run.out().lines().allMatch(l -> l.length() <= FlashcommCli.USAGE_WIDTH), run.out());
    }

    @Test
    void runOptionsAreDefinedOnceWithOneDefault() {
        for (String command : List.of("ppl", "bench", "sweep")) {
            String help = CliRun.of(command, "--help").out();
            assertTrue(help.contains("--batch=N|auto"), command + "\n" + help);
            assertTrue(help.contains("(default: 4)"), command + "\n" + help);
            assertTrue(help.contains("--seq-len=N"), command + "\n" + help);
            assertTrue(help.contains("--device=DEV"), command + "\n" + help);
            assertTrue(help.contains("--dtype=fp32|fp16"), command + "\n" + help);
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({"ppl, --limit, -1", "ppl, --limit, 1.5", "sweep, --limit, -0.1",
        "sweep, --max-windows, x", "bench, --limit, -2"})
    void aLimitThatIsNoLimitIsAUsageError(String command, String option, String value) {
        CliRun run = CliRun.of(command, option, value); // a bad value fails while parsing, before required options
        assertEquals(2, run.exitCode(), run.transcript());
        assertEquals(1, run.errLines().size(), run.transcript());
        assertTrue(run.errLines().get(0).contains("'" + value + "' is not a limit"), run.transcript());
    }

    @Test
    void aRingPathWithoutAFlashFormatIsAUsageErrorBeforeAnyFileIsRead() {
        CliRun run = CliRun.of("ppl", "--model", "no-such-model", "--data", "no-such.txt", "--comm", "fp16",
                "--comm-path", "ring");
        assertEquals(2, run.exitCode(), run.transcript());
        assertEquals(1, run.errLines().size(), run.transcript());
        assertTrue(run.errLines().get(0).contains("--comm-path ring (the quantize-at-every-hop ablation) needs a "
                + "flash format"), run.transcript());
    }

    @Test
    void demoRefusesATpThatMeasuresNothing() {
        CliRun run = CliRun.of("demo", "--tp", "1");
        assertEquals(2, run.exitCode(), run.transcript());
        assertEquals(1, run.errLines().size(), run.transcript());
        assertTrue(run.errLines().get(0).contains("--tp must be 2 to 8"), run.transcript());
    }

    @Test
    void pplDefaultsToATpThatHasAnAllReduce() {
        String help = CliRun.of("ppl", "--help").out();
        assertTrue(help.replaceAll("\\s+", " ").contains("no all-reduce and every format gives the same perplexity "
                + "(default: 2)"), help);
    }
}
