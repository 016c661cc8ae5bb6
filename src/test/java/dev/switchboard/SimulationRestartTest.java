package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The demo restarted on the same data directory carries on: no simulator errors, no rejected rows, history kept. */
class SimulationRestartTest {
    @TempDir
    Path dir;

    private Switchboard demo() {
        return Switchboard.start(new Config(true, "127.0.0.1", 0, dir, Optional.empty(), 200, Optional.empty(), Optional.empty(), false,
                "restart"), Clock.systemUTC());
    }

    @Test
    void restartOnTheSameDataDirectory_logsNoSimulatorError() throws Exception {
        Logger log = (Logger) LoggerFactory.getLogger(Simulation.class);
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        log.addAppender(seen);
        try {
            long first;
            try (Switchboard sb = demo()) {
                first = sb.store().changes().head().seq();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> sb.store().changes().head().seq() > first + 200);
            }
            long before;
            try (Switchboard sb = demo()) {
                before = sb.store().changes().head().seq();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> sb.store().changes().head().seq() > before + 400);
            }
            List<String> problems = seen.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(problems).as("simulator warnings after a restart").isEmpty();
        } finally {
            log.detachAppender(seen);
        }
    }
}
