package dev.switchboard.core;

import static dev.switchboard.core.Streams.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.live.LiveEngine;
import dev.switchboard.push.Session;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Limits of the stream core: views per tenant, and clients that stop reading. */
class StreamLimitsTest {
    @TempDir
    Path dir;

    @Test
    void views_beyondTheTenantsLimit_areRefused_otherTenantsUnaffected() throws Exception {
        try (Core core = new Core(dir, Instant.parse("2026-11-23T12:00:00Z"))) {
            core.engine.maxViewsPerTenant(3);
            for (int i = 1; i <= 3; i++) {
                core.engine.state(core.calls("t1").withParam("hours", i));
            }
            assertThatThrownBy(() -> core.engine.state(core.calls("t1").withParam("hours", 4)))
                    .isInstanceOf(LiveEngine.TooManyViews.class).hasMessageContaining("tenant 't1' has 3 live views");
            core.engine.state(core.calls("t1").withParam("hours", 2)); // an existing view still opens
            core.engine.state(core.calls("t2")); // another tenant has its own budget
            MemorySession s = session(core, "t1", List.of(core.calls("t1").withParam("hours", 5)), List.of(), 16);
            s.open(Optional.empty()).get(10, TimeUnit.SECONDS); // completes when the opening was queued or the session ended
            assertThat(s.closed()).isTrue();
            assertThat(s.failure()).containsInstanceOf(LiveEngine.TooManyViews.class);
        }
    }

    @Test
    void clientThatStopsReading_isEndedAfterTheStall_andLeavesItsTopics() throws Exception {
        try (Core core = new Core(dir, Instant.parse("2026-11-23T12:00:00Z"))) {
            MemorySession s = session(core, "t1", List.of(), List.of("call_logs"), 16);
            s.open(Optional.empty()).get(10, TimeUnit.SECONDS);
            s.pause();
            core.post("t1", "{\"id\":\"a\",\"status\":\"active\",\"started_at\":\"2026-11-23T11:00:00Z\"}");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !s.events().isEmpty());
            long now = System.nanoTime();
            assertThat(s.closeIfStalled(now, Duration.ofSeconds(30))).isFalse(); // a write in flight, not yet a stall
            assertThat(s.closeIfStalled(now + Duration.ofSeconds(31).toNanos(), Duration.ofSeconds(30))).isTrue();
            assertThat(s.closed()).isTrue();
            assertThat(s.failure()).isPresent();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> core.hub.subscriberCount() == 0);
            assertThat(Session.stalled()).isPositive();
        }
    }
}
