package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.switchboard.change.Times;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The demo restarted on the same data directory carries on: no simulator errors, no rejected rows,
 * history kept, and what the first run left in progress moves on (no call stays active for hours,
 * no slot is published twice, no ticket number repeats), and the patients, dentists and agents the
 * dashboards name are the first run's, not written again.
 */
class SimulationRestartTest {
    /**
     * Wall time moved back to 14:00 UTC of the last Wednesday before now, the busiest hour of every
     * pack's arrival model, so the test sees the same traffic whenever it runs. (Back, not forward:
     * the change log's commit times are wall time, and the restart fills the gap since the last one.)
     */
    private static final Clock BUSY = busyHour();

    @TempDir
    Path dir;

    private static Clock busyHour() {
        Instant now = Instant.now();
        Instant wednesday = LocalDate.ofInstant(now, ZoneOffset.UTC).minusDays(1).with(TemporalAdjusters.previousOrSame(DayOfWeek.WEDNESDAY))
                .atTime(14, 0).toInstant(ZoneOffset.UTC);
        return Clock.offset(Clock.systemUTC(), Duration.between(now, wednesday));
    }

    private Switchboard demo() {
        return Switchboard.start(new Config(true, "127.0.0.1", 0, dir, Optional.empty(), 200, Optional.empty(), Optional.empty(), false,
                "restart"), BUSY);
    }

    private long count(String sql, Object... params) throws Exception {
        return TestServer.sqliteLong(dir.resolve("switchboard.db"), sql, params);
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
            String tenMinutesAgo = Times.format(BUSY.instant().minus(Duration.ofMinutes(10)));
            // the people the dashboards name were written once, by the first run: the restart took them back, wrote none again
            assertThat(count("SELECT count(*) FROM patients")).as("patients").isEqualTo(80);
            assertThat(count("SELECT count(*) FROM dentists")).as("dentists").isEqualTo(5);
            assertThat(count("SELECT count(*) FROM agents")).as("agents").isEqualTo(8);
            assertThat(count("SELECT count(*) FROM sb_changes WHERE dataset IN ('patients', 'dentists', 'agents') AND op <> 'c'"))
                    .as("dimension rows written again").isZero();
            assertThat(count("SELECT count(*) FROM clinic_appointments a WHERE NOT EXISTS (SELECT 1 FROM patients p WHERE p.clinic_id = a.clinic_id"
                    + " AND p.id = a.patient_id) OR NOT EXISTS (SELECT 1 FROM dentists d WHERE d.clinic_id = a.clinic_id AND d.id = a.dentist_id)"))
                    .as("appointments without a named patient and dentist").isZero();
            assertThat(count("SELECT count(*) FROM call_logs l WHERE NOT EXISTS (SELECT 1 FROM agents a WHERE a.user_id = l.user_id AND a.id = l.agent_config_id)"))
                    .as("calls without a named agent").isZero();
            assertThat(count("SELECT count(*) FROM (SELECT 1 FROM products GROUP BY shop_id, name HAVING count(*) > 1)"))
                    .as("product names a shop carries twice").isZero();
            assertThat(count("SELECT count(*) FROM call_logs WHERE status = 'active' AND started_at < ?", tenMinutesAgo))
                    .as("calls active for more than ten minutes").isZero();
            assertThat(count("SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM call_logs WHERE status = 'active' GROUP BY user_id)"))
                    .as("most calls active at once in a tenant").isLessThanOrEqualTo(6);
            assertThat(count("SELECT count(*) FROM (SELECT 1 FROM dentist_availability GROUP BY clinic_id, dentist_id, start_time HAVING count(*) > 1)"))
                    .as("slots published twice").isZero();
            assertThat(count("SELECT count(*) FROM (SELECT 1 FROM tickets GROUP BY shop_id, ticket_number HAVING count(*) > 1)"))
                    .as("ticket numbers used twice").isZero();
            assertThat(count("SELECT count(*) FROM (SELECT 1 FROM orders GROUP BY shop_id, order_number HAVING count(*) > 1)"))
                    .as("order numbers used twice").isZero();
            assertThat(count("SELECT count(*) FROM call_attempts WHERE status IN ('dialing', 'ringing', 'in_progress') AND updated_at < ?", tenMinutesAgo))
                    .as("attempts in flight for more than ten minutes").isZero();
            List<String> problems = seen.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(problems).as("simulator warnings after a restart").isEmpty();
        } finally {
            log.detachAppender(seen);
        }
    }
}
