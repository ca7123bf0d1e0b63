package io.github.ddm;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Captures everything the given loggers write, down to TRACE (message and stack trace, formatted),
 * into memory only: the loggers stop passing to the console while captured. Close to restore.
 */
final class LogCapture implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final List<String> loggers;
    private final AbstractAppender appender;

    private LogCapture(List<String> loggers) {
        this.loggers = loggers;
        this.appender = new AbstractAppender("capture-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                StringBuilder line = new StringBuilder(event.getLevel() + " " + event.getLoggerName() + " - "
                        + event.getMessage().getFormattedMessage());
                if (event.getThrown() != null) {
                    StringWriter trace = new StringWriter();
                    event.getThrown().printStackTrace(new PrintWriter(trace));
                    line.append('\n').append(trace);
                }
                lines.add(line.toString());
            }
        };
        appender.start();
        Configuration config = context.getConfiguration();
        for (String name : loggers) {
            LoggerConfig logger = new LoggerConfig(name, Level.TRACE, false);
            logger.addAppender(appender, Level.TRACE, null);
            config.addLogger(name, logger);
        }
        context.updateLoggers();
    }

    /** Starts capturing DDM's, Redisson's and Netty's logs. */
    static LogCapture ddmAndRedisson() {
        return new LogCapture(List.of("io.github.ddm", "org.redisson", "io.netty"));
    }

    /** Everything captured so far. */
    List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        Configuration config = context.getConfiguration();
        for (String name : loggers) {
            config.removeLogger(name);
        }
        context.updateLoggers();
        appender.stop();
    }
}
