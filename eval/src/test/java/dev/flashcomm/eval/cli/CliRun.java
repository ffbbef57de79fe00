package dev.flashcomm.eval.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;

/** One in-process run of the {@code flashcomm} command line, with what it printed on each stream. */
record CliRun(int exitCode, String out, String err) {

    static CliRun of(String... args) {
        return of(CommandLine.defaultFactory(), args);
    }

    /** As {@link #of(String...)}, with the commands made by {@code factory} (to give one a fake clock or timer). */
    static CliRun of(CommandLine.IFactory factory, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        // the same factory method main() uses, so the exit-code mapping under test is the real one
        int code;
        try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
            code = FlashcommCli.newCommandLine(factory).setOut(o).setErr(e).execute(args);
        }
        return new CliRun(code, out.toString(), err.toString());
    }

    /** Non-empty stderr lines; a trailing newline does not count as an extra line. */
    List<String> errLines() {
        return err.lines().filter(l -> !l.isEmpty()).toList();
    }

    /** Both streams, for assertion messages: a failure shows what the user would have seen. */
    String transcript() {
        return "exit " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
    }
}
