package io.github.ddm.cli;

import io.github.ddm.SectionId;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/**
 * The {@code ddm} command: the demo, the local stack, and operator tools. Each subcommand is a
 * class of its own; {@link #main} runs one and exits with its code.
 *
 * <p>Exit codes: 0 success; 1 a check found a difference (the demo did not converge, {@code diff}
 * found documents that differ); 2 bad usage or an error (a server that cannot be reached, bad
 * input), with a one-line message on standard error that names what is wrong.
 */
@Command(name = "ddm", mixinStandardHelpOptions = true, versionProvider = Ddm.Version.class,
        description = "DDM (Distributed Data Manager): versioned JSON documents in Redis, cached in every service and "
                + "mirrored between regions through Kafka.",
        subcommands = {DemoCommand.class, StackCommand.class, InspectCommand.class, TailCommand.class, DiffCommand.class, CheckCommand.class,
                ReplayCommand.class, CommandLine.HelpCommand.class})
public final class Ddm {

    /** Exit code: a check found a difference. */
    public static final int DIFFERENT = 1;
    /** Exit code: bad usage, or an error. */
    public static final int ERROR = 2;

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        // Kafka's test jars on the class path carry a log4j2.yaml at INFO, which log4j would prefer to
        // an unnamed log4j2.xml: name ours, unless the user named one.
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "ddm-cli-log4j2.xml");
        }
        System.exit(commandLine().execute(args));
    }

    /** A command line for {@code ddm}, with the error handling {@link #main} uses; for embedding and tests. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Ddm());
        commandLine.registerConverter(SectionId.class, SectionId::parse);
        commandLine.setExecutionExceptionHandler(Ddm::failed);
        commandLine.setExitCodeExceptionMapper(e -> ERROR);
        return commandLine;
    }

    /** One line that names the failure and its causes, without a stack trace (DDM_LOG_LEVEL=DEBUG adds one). */
    private static int failed(Exception e, CommandLine commandLine, CommandLine.ParseResult parsed) {
        PrintWriter err = commandLine.getErr();
        StringBuilder message = new StringBuilder("ddm ").append(commandLine.getCommandName()).append(": ");
        message.append(describe(e));
        Throwable cause = e.getCause();
        while (cause != null && cause != cause.getCause()) {
            String text = describe(cause);
            if (message.indexOf(text) < 0) {
                message.append(": ").append(text);
            }
            cause = cause.getCause();
        }
        err.println(message);
        if ("DEBUG".equalsIgnoreCase(System.getenv("DDM_LOG_LEVEL"))) {
            e.printStackTrace(err);
        }
        err.flush();
        return ERROR;
    }

    private static String describe(Throwable t) {
        String text = t.getMessage();
        return text == null || text.isBlank() ? t.getClass().getSimpleName() : text;
    }

    /** The version from the build. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties properties = new Properties();
            try (InputStream in = Ddm.class.getResourceAsStream("/ddm-cli-version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new String[] {"ddm " + properties.getProperty("version", "unknown") + " (Java "
                    + System.getProperty("java.version") + ")"};
        }
    }
}
