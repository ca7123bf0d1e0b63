package io.github.ddm.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * What the demo prints, and the checks that failed. Lines go to standard output as they are said,
 * so a user sees progress. Not thread-safe: the demo speaks from one thread.
 */
final class DemoConsole {

    /** Indentation of the lines under a step. */
    static final String DETAIL = "      ";

    private final PrintWriter out;
    private final List<String> failures = new ArrayList<>();

    DemoConsole(PrintWriter out) {
        this.out = out;
    }

    /** Prints one line ({@link String#format}). */
    void say(String format, Object... args) {
        out.println(String.format(format, args));
        out.flush();
    }

    /** Prints one detail line, indented under its step. */
    void detail(String format, Object... args) {
        say(DETAIL + format, args);
    }

    /** Records and prints a failure unless {@code holds}; returns {@code holds}. */
    boolean check(boolean holds, String format, Object... args) {
        if (!holds) {
            String failure = String.format(format, args);
            failures.add(failure);
            detail("CHECK FAILED: %s", failure);
        }
        return holds;
    }

    /** The checks that failed so far, in order. */
    List<String> failures() {
        return List.copyOf(failures);
    }
}
