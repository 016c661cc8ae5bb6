package dev.switchboard.core;

import static dev.switchboard.core.Streams.folded;
import static dev.switchboard.core.Streams.session;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.live.Equality;
import dev.switchboard.live.ViewKey;
import java.lang.management.ManagementFactory;
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

/**
 * Issue 7's deadlock: a subscriber opening a view while a rebuild of that view (the clock stepped
 * back) holds its bootstrap query. Before the single-owner core, the subscriber held the feed's
 * dispatch lock and waited for the view's boot lock while the rebuild held the boot lock and
 * waited for the dispatch lock: both threads hung and the feed froze for every tenant. Now the
 * rebuild's query runs on a loader thread and hands its result to the owner, the opening waits as
 * a queued command, and other tenants keep receiving changes.
 */
class DeadlockRegressionTest {
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    @TempDir
    Path dir;

    @Test
    void subscribe_whileARebuildHoldsItsBootstrap_neitherDeadlocksNorFreezesTheFeed() throws Exception {
        try (Core core = new Core(dir, NOW)) {
            ViewKey k = core.calls("t1");
            core.post("t1", "{\"id\":\"c1\",\"status\":\"active\",\"started_at\":\"2026-11-23T11:30:00Z\"}");
            MemorySession first = session(core, "t1", List.of(k), List.of(), 1024);
            first.open(Optional.empty()).get(10, TimeUnit.SECONDS);

            GatedStore.Gate gate = core.store.arm(t -> t.getName().startsWith("sb-loader"));
            core.clock.set(NOW.minus(Duration.ofHours(1))); // time went back: the view must be rebuilt
            core.engine.tick();
            assertThat(gate.awaitReached(10)).as("the rebuild's bootstrap query reached the gate").isTrue();

            MemorySession second = session(core, "t1", List.of(k), List.of(), 1024);
            CompletableFuture<Void> opening = second.open(Optional.empty());

            MemorySession other = session(core, "t2", List.of(), List.of("call_logs"), 1024);
            other.open(Optional.empty()).get(10, TimeUnit.SECONDS);
            core.post("t2", "{\"id\":\"o1\",\"status\":\"active\",\"started_at\":\"2026-11-23T11:00:00Z\"}");
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> other.events().stream().anyMatch(e -> e.type().equals("change")));

            assertThat(ManagementFactory.getThreadMXBean().findDeadlockedThreads()).isNull();
            assertThat(opening).as("the opening waits for the rebuilt view, as a command, not on a lock").isNotDone();
            core.post("t1", "{\"id\":\"c2\",\"status\":\"active\",\"started_at\":\"2026-11-23T10:30:00Z\"}");

            gate.open();
            opening.get(10, TimeUnit.SECONDS);
            assertThat(core.feed.awaitPosition(core.store.changes().head(), Duration.ofSeconds(10))).isTrue();
            core.engine.tick();
            var sql = core.engine.sqlValues(k, core.clock.millis());
            for (MemorySession s : List.of(first, second)) {
                Awaitility.await().atMost(Duration.ofSeconds(10))
                        .until(() -> folded(s.events(), "calls").map(w -> Equality.sameValues(w, sql)).orElse(false));
            }
        }
    }
}
