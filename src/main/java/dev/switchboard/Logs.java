package dev.switchboard;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.LoggerFactory;

/** The log format chosen by {@code --log-format}: logback's text pattern (logback.xml) or its JSON encoder. */
final class Logs {
    private Logs() {}

    /**
     * Switches the console appender to one JSON object per line for {@code json}; {@code text}
     * keeps logback.xml's pattern. Fields: timestamp (epoch ms), level, threadName, loggerName,
     * message, mdc, kvpList, throwable.
     */
    static void configure(String format) {
        if (!"json".equals(format) || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        if (!(root.getAppender("STDERR") instanceof ConsoleAppender<ILoggingEvent> console)) {
            return;
        }
        JsonEncoder json = new JsonEncoder();
        json.setContext(context);
        json.setWithSequenceNumber(false);
        json.setWithNanoseconds(false);
        json.setWithContext(false);
        json.setWithArguments(false);
        json.setWithFormattedMessage(true);
        json.setWithMessage(false);
        json.start();
        console.stop();
        console.setEncoder(json);
        console.start();
    }
}
