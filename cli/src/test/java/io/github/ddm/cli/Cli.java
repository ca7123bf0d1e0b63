package io.github.ddm.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs {@code ddm} in this JVM, as {@link Ddm#main} would, with its output captured. */
final class Cli {

    /** What one run printed and returned. */
    record Run(int exitCode, String out, String err) {
    }

    /** Output that can be read while a command still runs (StringWriter is synchronized). */
    static final class Live {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();

        CommandLine commandLine() {
            CommandLine commandLine = Ddm.commandLine();
            commandLine.setOut(new PrintWriter(out, true));
            commandLine.setErr(new PrintWriter(err, true));
            return commandLine;
        }

        String out() {
            return out.toString();
        }
    }

    private Cli() {
    }

    static Run run(String... args) {
        Live live = new Live();
        int code = live.commandLine().execute(args);
        return new Run(code, live.out(), live.err.toString());
    }
}
