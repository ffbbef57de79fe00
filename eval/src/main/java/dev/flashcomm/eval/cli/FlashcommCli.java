package dev.flashcomm.eval.cli;

import dev.flashcomm.datasets.DataException;
import dev.flashcomm.eval.InputException;
import dev.flashcomm.eval.lm.DeviceMemoryException;
import dev.flashcomm.eval.ToolVersion;
import dev.flashcomm.results.ResultsException;
import dev.flashcomm.tp.checkpoint.CheckpointException;
import dev.flashcomm.tp.comm.NonFiniteValuesException;
import dev.flashcomm.tp.comm.SettingsException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code flashcomm}: what low-bit tensor-parallel communication costs a model in accuracy. */
@Command(name = "flashcomm", mixinStandardHelpOptions = true, versionProvider = FlashcommCli.Version.class,
        description = "Measures the accuracy cost of low-bit Flash All-Reduce communication in tensor-parallel "
                + "LLaMA/Qwen inference.",
        subcommands = {PplCommand.class, BenchCommand.class, SweepCommand.class, MergeCommand.class, GateCommand.class,
                DemoCommand.class, CommandLine.HelpCommand.class})
public final class FlashcommCli implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    /** The command line used by {@code main} and by tests, with the project's exit-code mapping. */
    public static CommandLine newCommandLine() {
        CommandLine cmd = new CommandLine(new FlashcommCli());
        // picocli would print the whole usage after the message; bad input is one line, with a pointer to the help
        cmd.setParameterExceptionHandler((ex, args) -> {
            CommandLine failed = ex.getCommandLine();
            failed.getErr().println("flashcomm: " + firstLine(ex.getMessage()) + " (see '"
                    + failed.getCommandSpec().qualifiedName() + " --help')");
            return ExitCodes.BAD_INPUT;
        });
        cmd.setExecutionExceptionHandler((ex, commandLine, parsed) -> {
            if (isUserError(ex)) {
                commandLine.getErr().println("flashcomm: " + ex.getMessage());
                return ExitCodes.BAD_INPUT;
            }
            if (ex instanceof ArithmeticException) {
                commandLine.getErr().println("flashcomm: " + ex.getMessage());
                return ExitCodes.FAILURE;
            }
            ex.printStackTrace(commandLine.getErr());
            return ExitCodes.FAILURE;
        });
        return cmd;
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
