package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.live.Equality;
import dev.switchboard.live.MutableClock;
import dev.switchboard.live.ViewKey;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Views are reconciled against SQL (a mismatch is counted and repaired) and evicted when unwatched. */
class LifecycleTest {
    static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    @TempDir
    Path dir;

    Switchboard start(MutableClock clock) {
        return Switchboard.start(new Config(true, "127.0.0.1", 0, dir, Optional.empty(), 0, Optional.empty(), Optional.empty(), false, "life"), clock);
    }

    @Test
    void reconcile_findsAWriteCaptureMissed_countsIt_andRepairsTheView() throws Exception {
        MutableClock clock = new MutableClock(T0);
        try (Switchboard sb = start(clock)) {
            ViewKey key = ViewKey.of("calls", "t1").withParam("hours", 24);
            assertThat(sb.engine().state(key).widgets().get("total_calls")).isEqualTo(0L);
            assertThat(sb.engine().reconcile()).isZero();
            // A write the change log never sees: capture is switched off around it.
            try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("switchboard.db")); var st = c.createStatement()) {
                st.execute("DROP TRIGGER sb_capture_call_logs_i");
                st.execute("INSERT INTO call_logs (id, user_id, status, started_at) VALUES ('ghost', 't1', 'active', '2026-11-23T09:00:00.000Z')");
            }
            assertThat(sb.engine().state(key).widgets().get("total_calls")).isEqualTo(0L);
            assertThat(sb.engine().reconcile()).isEqualTo(1);
            assertThat(sb.engine().reconcileMismatches()).isEqualTo(1);
            var state = sb.engine().state(key);
            assertThat(state.widgets().get("total_calls")).isEqualTo(1L);
            assertThat(Equality.sameValues(state.widgets(), sb.engine().sqlValues(key, clock.millis()))).isTrue();
            assertThat(sb.engine().reconcile()).isZero();
        }
    }

    @Test
    void windows_slideWithTime_andUnwatchedViewsAreEvicted() throws Exception {
        MutableClock clock = new MutableClock(T0);
        try (Switchboard sb = start(clock); TestServer.Client http = new TestServer.Client(sb.port())) {
            http.post("/api/ingest/t1/call_logs", "{\"id\":\"c1\",\"status\":\"ended\",\"outcome\":\"completed\",\"duration\":30,\"started_at\":\"2026-11-23T09:30:00Z\"}");
            ViewKey key = ViewKey.of("calls", "t1").withParam("hours", 24);
            assertThat(sb.feed().awaitPosition(sb.store().changes().head(), Duration.ofSeconds(10))).isTrue();
            assertThat(sb.engine().state(key).widgets().get("total_calls")).isEqualTo(1L);
            assertThat(sb.engine().viewCount()).isEqualTo(1);
            clock.advance(Duration.ofHours(24).plusMinutes(1));
            sb.engine().tick();
            // The call left the 24 h window with no new data; the view never asked SQL to know.
            var state = sb.engine().state(key);
            assertThat(state.widgets().get("total_calls")).isEqualTo(0L);
            assertThat(Equality.sameValues(state.widgets(), sb.engine().sqlValues(key, clock.millis()))).isTrue();
            clock.advance(Duration.ofMinutes(6));
            sb.engine().tick();
            assertThat(sb.engine().viewCount()).isZero();
        }
    }
}
