package dev.switchboard.core;

import static dev.switchboard.core.Streams.session;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.change.Position;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bootstrap query that stalls (held at a gate) delays nobody but the clients waiting for that view. */
class SlowBootstrapTest {
    @TempDir
    Path dir;

    @Test
    void stalledBootstrap_ofOneTenant_doesNotDelayDeliveryToOthers() throws Exception {
        try (Core core = new Core(dir, Instant.parse("2026-11-23T12:00:00Z"))) {
            GatedStore.Gate gate = core.store.arm(t -> t.getName().startsWith("sb-loader"));
            MemorySession slow = session(core, "t1", List.of(core.calls("t1")), List.of("call_logs"), 1024);
            CompletableFuture<Void> slowOpening = slow.open(Optional.empty());
            assertThat(gate.awaitReached(10)).isTrue();

            // another tenant's dashboard bootstraps on another loader thread, and its changes flow
            MemorySession fast = session(core, "t2", List.of(core.calls("t2")), List.of("call_logs"), 1024);
            fast.open(Optional.empty()).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 100; i++) {
                core.post("t2", "{\"id\":\"f" + i + "\",\"status\":\"active\",\"started_at\":\"2026-11-23T11:00:00Z\"}");
                core.post("t1", "{\"id\":\"s" + i + "\",\"status\":\"active\",\"started_at\":\"2026-11-23T11:00:00Z\"}");
            }
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> changes(fast).size() == 100);
            List<MemorySession.Ev> got = changes(fast);
            for (int i = 0; i < 100; i++) {
                assertThat(got.get(i).data().path("key").asString()).isEqualTo("f" + i);
            }
            assertThat(fast.events().stream().anyMatch(e -> e.type().equals("delta"))).isTrue();
            assertThat(slowOpening).isNotDone();
            assertThat(slow.events()).isEmpty();

            gate.open();
            slowOpening.get(10, TimeUnit.SECONDS);
            // the held client then gets a snapshot and, live, everything after it
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> slow.events().stream().anyMatch(e -> e.type().equals("snapshot")));
            Position snap = slow.events().stream().filter(e -> e.type().equals("snapshot")).findFirst().orElseThrow().position();
            core.post("t1", "{\"id\":\"late\",\"status\":\"active\",\"started_at\":\"2026-11-23T11:00:00Z\"}");
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> changes(slow).stream().anyMatch(e -> e.data().path("key").asString().equals("late")));
            assertThat(changes(slow)).allMatch(e -> e.position().compareTo(snap) > 0);
        }
    }

    private static List<MemorySession.Ev> changes(MemorySession s) {
        return s.events().stream().filter(e -> e.type().equals("change")).toList();
    }
}
