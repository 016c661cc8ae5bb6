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

    /**
     * Issue 12, finding 6: a client that stopped reading overflowed again and again, and each
     * overflow re-read its backlog. Now its queue is dropped once and nothing is replayed while its
     * write is pending; when it reads again it is resynchronized once and gets every change once.
     */
    @Test
    void overflowWhileAWriteIsPending_resynchronizesOnlyWhenTheClientReadsAgain() throws Exception {
        try (Core core = new Core(dir, Instant.parse("2026-11-23T12:00:00Z"))) {
            MemorySession s = session(core, "t1", List.of(), List.of("call_logs"), 16);
            s.open(Optional.empty()).get(10, TimeUnit.SECONDS);
            s.pause();
            for (int b = 0; b < 10; b++) {
                String[] rows = new String[10];
                for (int i = 0; i < 10; i++) {
                    rows[i] = "{\"id\":\"k" + (b * 10 + i) + "\",\"status\":\"active\",\"started_at\":\"2026-11-23T11:00:00Z\"}";
                }
                core.post("t1", rows);
                if (b == 0) {
                    // the first batch's write is the one the client does not take: the overflow comes while it is pending
                    Awaitility.await().atMost(Duration.ofSeconds(10)).until(s::holdingAWrite);
                }
            }
            var head = core.store.changes().head();
            assertThat(core.feed.awaitPosition(head, Duration.ofSeconds(10))).isTrue();
            // the fan-out has offered everything (its queue went past 16 long ago), and nothing was replayed
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> core.hub.deliveryLagMillis() == 0);
            assertThat(s.overflowCount()).isEqualTo(1); // the queue was dropped once
            assertThat(s.resynchronizations()).isZero();
            s.resume();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> s.events().stream().filter(e -> e.type().equals("change")).count() >= 100);
            assertThat(s.resynchronizations()).isEqualTo(1);
            List<String> keys = s.events().stream().filter(e -> e.type().equals("change")).map(e -> e.data().path("key").asString()).toList();
            List<String> want = new java.util.ArrayList<>();
            for (int i = 0; i < 100; i++) {
                want.add("k" + i);
            }
            assertThat(keys).containsExactlyElementsOf(want);
        }
    }

    /**
     * Issue 12, finding 5: a Last-Event-ID ahead of every committed change was waited for (5 s
     * each; 300 at once made health slow). It is answered at once with a reset: here the wait
     * for a node further along is an hour, and the reset still arrives.
     */
    @Test
    void resumeBeyondEveryCommittedChange_isAnsweredAtOnceWithAReset() throws Exception {
        try (Core core = new Core(dir, Instant.parse("2026-11-23T12:00:00Z"))) {
            core.streams.aheadWait(Duration.ofHours(1));
            core.post("t1", "{\"id\":\"a\",\"status\":\"active\",\"started_at\":\"2026-11-23T11:00:00Z\"}");
            var head = core.store.changes().head();
            assertThat(core.feed.awaitPosition(head, Duration.ofSeconds(10))).isTrue();
            var forged = new dev.switchboard.change.Position(head.epoch(), head.seq() + 1_000_000);
            assertThat(core.feed.beyondCeiling(forged)).isTrue();
            assertThat(core.feed.beyondCeiling(head)).isFalse();
            MemorySession s = session(core, "t1", List.of(core.calls("t1")), List.of("call_logs"), 16);
            s.open(Optional.of(forged)).get(15, TimeUnit.SECONDS);
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> s.events().stream().anyMatch(e -> e.type().equals("reset")));
            assertThat(s.events()).anyMatch(e -> e.type().equals("snapshot") && e.data().path("reset").asBoolean());
        }
    }
}
