package dev.flashcomm.eval.cli;

import dev.flashcomm.datasets.DataException;
import dev.flashcomm.eval.InputException;
import dev.flashcomm.eval.ToolVersion;
import dev.flashcomm.eval.lm.DeviceMemoryException;
import dev.flashcomm.results.ResultsException;
import dev.flashcomm.tp.checkpoint.CheckpointException;
import dev.flashcomm.tp.comm.NonFiniteValuesException;
import dev.flashcomm.tp.comm.SettingsException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine;

/** {@code flashcomm}: what low-bit tensor-parallel communication costs a model in accuracy. */
@Command(name = "flashcomm", mixinStandardHelpOptions = true, versionProvider = FlashcommCli.Version.class,
        description = "Measures the accuracy cost of low-bit Flash All-Reduce communication in tensor-parallel "
                + "LLaMA/Qwen inference.",
        subcommands = {PplCommand.class, GenerateCommand.class, BenchCommand.class, SweepCommand.class,
                MergeCommand.class, GateCommand.class, ReportCommand.class, DemoCommand.class, PresetsCommand.class,
                CommandLine.HelpCommand.class})
public final class FlashcommCli implements Callable<Integer> {

    /**
     * Wide enough that option descriptions keep file names such as {@code results.csv} on one line (picocli breaks
     * lines after a '.' as well as at spaces), narrow enough for a terminal split in two.
     */
    static final int USAGE_WIDTH = 120;

    /** The footer of every command's help: CI scripts branch on these. */
    static final Map<String, String> EXIT_CODES = exitCodes();

    @Spec
    CommandSpec spec;

    /** No command given: that is a usage error, so the usage goes to stderr and the exit code is 2. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.BAD_INPUT;
    }

    /** The command line used by {@code main} and by tests, with the project's exit-code mapping. */
    public static CommandLine newCommandLine() {
        return newCommandLine(CommandLine.defaultFactory());
    }

    /**
     * As {@link #newCommandLine()}, with the commands made by {@code factory}: a test hands a command what it would
     * otherwise take from the machine (bench's decode timer), through the constructor, and nothing else changes.
     */
    static CommandLine newCommandLine(CommandLine.IFactory factory) {
        CommandLine cmd = new CommandLine(new FlashcommCli(), factory);
        cmd.setUsageHelpWidth(USAGE_WIDTH);
        addExitCodes(cmd);
        cmd.setExecutionStrategy(FlashcommCli::refuseUnmatchedThenRun);
        // picocli would print the whole usage after the message; bad input is one line, with a pointer to the help
        cmd.setParameterExceptionHandler((ex, args) -> {
            CommandLine failed = ex.getCommandLine();
            failed.getErr().println("flashcomm: " + MessageLine.of(firstLine(ex.getMessage()) + suggestion(ex))
                    + " (see '" + failed.getCommandSpec().qualifiedName() + " --help')");
            return ExitCodes.BAD_INPUT;
        });
        cmd.setExecutionExceptionHandler((ex, commandLine, parsed) -> {
            if (isUserError(ex)) {
                commandLine.getErr().println("flashcomm: " + MessageLine.of(ex.getMessage()));
                return ExitCodes.BAD_INPUT;
            }
            if (ex instanceof ArithmeticException) {
                commandLine.getErr().println("flashcomm: " + MessageLine.of(ex.getMessage()));
                return ExitCodes.FAILURE;
            }
            ex.printStackTrace(commandLine.getErr());
            return ExitCodes.FAILURE;
        });
        return cmd;
    }

    /**
     * picocli lets a help option win over arguments it could not match, so {@code flashcomm census --help} printed
     * the top-level help and exited 0, and a CI script's typo passed. An unmatched argument at any level is a usage
     * error, help or not.
     */
    private static int refuseUnmatchedThenRun(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult level = parsed; level != null; level = level.subcommand()) {
            if (!level.unmatched().isEmpty()) {
                throw new UnmatchedArgumentException(level.commandSpec().commandLine(), level.unmatched());
            }
        }
        return new CommandLine.RunLast().execute(parsed);
    }

    /** {@code ; did you mean 'sweep'?} for a mistyped command or option, as picocli would have suggested. */
    private static String suggestion(ParameterException ex) {
        if (ex instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            return "; did you mean " + u.getSuggestions().stream().limit(3).map(s -> "'" + s + "'")
                    .collect(Collectors.joining(" or ")) + "?";
        }
        return "";
    }

    private static void addExitCodes(CommandLine cmd) {
        cmd.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(EXIT_CODES);
        cmd.getSubcommands().values().forEach(FlashcommCli::addExitCodes);
    }

    private static Map<String, String> exitCodes() {
        Map<String, String> codes = new LinkedHashMap<>();
        codes.put("0", "success");
        codes.put("1", "a gate failed (flashcomm gate only)");
        codes.put("2", "bad input: usage, a missing or malformed file, an impossible setting");
        codes.put("3", "an unexpected failure (a bug or the engine); the stack trace is printed");
        return Collections.unmodifiableMap(codes);
    }

    static boolean isUserError(Throwable ex) {
        return ex instanceof InputException || ex instanceof CheckpointException || ex instanceof DataException
                || ex instanceof ResultsException || ex instanceof DeviceMemoryException
                || ex instanceof SettingsException || ex instanceof NonFiniteValuesException;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "invalid command line";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    public static void main(String... args) {
        int code;
        try {
            code = newCommandLine().execute(args);
        } catch (OutOfMemoryError e) {
            // an Error passes picocli's handlers; the input (a corpus, a batch) was too large for this heap
            System.err.println("flashcomm: out of Java heap memory (" + Runtime.getRuntime().maxMemory() / (1 << 20)
                    + " MiB): use smaller inputs or a larger heap, e.g. FLASHCOMM_JAVA_OPTS=-Xmx16g");
            code = ExitCodes.BAD_INPUT;
        }
        System.exit(code);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"flashcomm " + ToolVersion.VERSION};
        }
    }
}
