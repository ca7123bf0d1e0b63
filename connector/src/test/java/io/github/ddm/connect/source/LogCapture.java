package io.github.ddm.connect.source;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/** Captures every log line (message and stack trace) of this JVM while open, at the given root level. */
final class LogCapture implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final LoggerContext context;
    private final AbstractAppender appender;
    private final Level previousRoot;
    private final LoggerConfig ddm;

    private LogCapture(Level rootLevel, Level ddmLevel) {
        context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        appender = new AbstractAppender("capture-" + UUID.randomUUID(), null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                StringBuilder line = new StringBuilder().append(event.getLevel()).append(' ').append(event.getLoggerName())
                        .append(" - ").append(event.getMessage().getFormattedMessage());
                if (event.getThrown() != null) {
                    StringWriter trace = new StringWriter();
                    event.getThrown().printStackTrace(new PrintWriter(trace));
                    line.append('\n').append(trace);
                }
                lines.add(line.toString());
            }
        };
        appender.start();
        LoggerConfig root = config.getRootLogger();
        previousRoot = root.getLevel();
        root.addAppender(appender, Level.ALL, null);
        root.setLevel(rootLevel);
        ddm = new LoggerConfig("io.github.ddm", ddmLevel, true);
        config.addLogger("io.github.ddm", ddm);
        context.updateLoggers();
    }

    /** Captures at the configured levels (WARN). */
    static LogCapture warnings() {
        return new LogCapture(Level.WARN, Level.WARN);
    }

    /** Captures everything at INFO, and DDM's own loggers at DEBUG. */
    static LogCapture verbose() {
        return new LogCapture(Level.INFO, Level.DEBUG);
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    String text() {
        return String.join("\n", lines);
    }

    @Override
    public void close() {
        Configuration config = context.getConfiguration();
        config.getRootLogger().removeAppender(appender.getName());
        config.getRootLogger().setLevel(previousRoot);
        config.removeLogger("io.github.ddm");
        context.updateLoggers();
        appender.stop();
    }
}
