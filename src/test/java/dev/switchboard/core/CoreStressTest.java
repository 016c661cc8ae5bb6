package dev.switchboard.core;

import static dev.switchboard.core.Streams.folded;
import static dev.switchboard.core.Streams.session;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.change.Change;
import dev.switchboard.change.Position;
import dev.switchboard.live.Equality;
import dev.switchboard.live.ViewKey;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Everything that meets on the owner thread at once, for a minute: 16 writers, subscribers
 * opening and closing (scoped and parameterized views that bootstrap, resumes from recent
 * positions), ticks with the clock jumping forward and back (rebuilds), list refills, and
 * watchers whose small queues overflow and resynchronize. At the end: no deadlock, every view
 * equal to SQL, and every long-lived watcher's change stream exactly the tenant's change log
 * since it subscribed, once each and in order. {@code -Dstress.seconds=N} changes the length.
 */
class CoreStressTest {
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    static final List<String> TENANTS = List.of("t0", "t1", "t2", "t3");
    @TempDir
    Path dir;

    @Test
    void writersSubscribersTicksAndRebuilds_together_noDeadlock_exactViews_exactStreams() throws Exception {
        long seconds = Long.getLong("stress.seconds", 60);
        try (Core core = new Core(dir, NOW)) {
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong writes = new AtomicLong();
            AtomicLong opened = new AtomicLong();
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            List<MemorySession> watchers = new ArrayList<>();
            List<ViewKey> watched = new ArrayList<>();
            for (String t : TENANTS) {
                for (int capacity : new int[] {1024, 8}) {
                    MemorySession w = session(core, t, List.of(core.calls(t)), List.of("call_logs"), capacity);
                    w.open(Optional.empty()).get(20, TimeUnit.SECONDS);
                    watchers.add(w);
                }
                watched.add(core.calls(t));
            }
            ExecutorService pool = Executors.newCachedThreadPool();
            for (int w = 0; w < 16; w++) {
                int writer = w;
                pool.submit(() -> {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    int n = 0;
                    while (running.get()) {
                        try {
                            String t = TENANTS.get(r.nextInt(TENANTS.size()));
                            String key = "w" + writer + "-" + r.nextInt(Math.max(1, n));
                            int op = r.nextInt(10);
                            if (op < 5) {
                                key = "w" + writer + "-" + n++;
                                String started = NOW.minus(Duration.ofMinutes(r.nextInt(0, 600))).toString();
                                core.post(t, "{\"id\":\"" + key + "\",\"status\":\"active\",\"started_at\":\"" + started
                                        + "\",\"agent_config_id\":\"agent-" + r.nextInt(4) + "\"}");
                            } else if (op < 8) {
                                core.post(t, "{\"id\":\"" + key + "\",\"status\":\"ended\",\"outcome\":\"completed\",\"duration\":"
                                        + r.nextInt(1, 600) + "}");
                            } else {
                                core.delete(t, key);
                            }
                            writes.incrementAndGet();
                        } catch (IllegalArgumentException | dev.switchboard.store.IngestException expected) {
                            // a partial update of a key another tenant owns, or of a deleted row: refused, fine
                        } catch (Throwable e) {
                            errors.add(e);
                        }
                    }
                    return null;
                });
            }
            pool.submit(() -> { // subscribers coming and going, some resuming, some scoped
                ThreadLocalRandom r = ThreadLocalRandom.current();
                while (running.get()) {
                    try {
                        String t = TENANTS.get(r.nextInt(TENANTS.size()));
                        ViewKey k = r.nextBoolean() ? core.calls(t, "agent", "agent-" + r.nextInt(6))
                                : core.calls(t).withParam("hours", r.nextInt(1, 48));
                        MemorySession s = session(core, t, List.of(k), r.nextBoolean() ? List.of("call_logs") : List.of(), 64);
                        Optional<Position> resume = r.nextInt(3) == 0 ? Optional.of(core.feed.position()) : Optional.empty();
                        s.open(resume).get(30, TimeUnit.SECONDS);
                        opened.incrementAndGet();
                        s.close(Optional.empty());
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }
                return null;
            });
            pool.submit(() -> { // time: mostly forward, sometimes back (a rebuild of every view)
                ThreadLocalRandom r = ThreadLocalRandom.current();
                int i = 0;
                while (running.get()) {
                    try {
                        if (++i % 200 == 0) { // a rebuild of every view: often, but not so often that rebuilds never finish
                            core.clock.set(core.clock.instant().minus(Duration.ofMinutes(5)));
                        } else {
                            core.clock.advance(Duration.ofSeconds(r.nextInt(1, 30)));
                        }
                        core.engine.tick();
                        Thread.sleep(20);
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }
                return null;
            });
            pool.submit(() -> { // a watcher that stops reading now and then
                while (running.get()) {
                    MemorySession w = watchers.get(1);
                    w.pause();
                    Thread.sleep(150);
                    w.resume();
                    Thread.sleep(150);
                }
                return null;
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline && errors.isEmpty()) {
                Thread.sleep(500);
                assertThat(ManagementFactory.getThreadMXBean().findDeadlockedThreads()).isNull();
            }
            running.set(false);
            pool.shutdown();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            watchers.get(1).resume();
            assertThat(errors).isEmpty();
            assertThat(ManagementFactory.getThreadMXBean().findDeadlockedThreads()).isNull();
            Position head = core.store.changes().head();
            assertThat(core.feed.awaitPosition(head, Duration.ofSeconds(60))).isTrue();
            core.engine.tick();
            System.out.printf("stress: %,d writes, %,d openings, %,d overflows, %d view failures, feed at %s%n", writes.get(), opened.get(),
                    core.streams.overflows(), core.engine.failures(), core.feed.position());

            for (ViewKey k : watched) {
                Map<String, Object> live = core.engine.state(k).widgets();
                assertThat(Equality.sameValues(live, core.engine.sqlValues(k, core.clock.millis()))).as(k.topic()).isTrue();
            }
            for (int i = 0; i < watchers.size(); i++) {
                MemorySession w = watchers.get(i);
                String tenant = TENANTS.get(i / 2);
                int index = i;
                Awaitility.await().atMost(Duration.ofSeconds(30)).alias("watcher " + i + " of " + tenant).until(() -> {
                    if (w.closed()) {
                        throw new AssertionError("watcher " + index + " was closed: " + w.failure());
                    }
                    return expected(core, w, tenant, head).size() == changes(w).size();
                });
                List<MemorySession.Ev> got = changes(w);
                List<Change> want = expected(core, w, tenant, head);
                assertThat(got.stream().map(e -> e.id()).toList()).as("watcher %d of %s", i, tenant)
                        .containsExactlyElementsOf(want.stream().map(c -> c.position().toString()).toList());
                assertThat(w.events().stream().noneMatch(e -> e.type().equals("reset"))).isTrue();
                var sql = core.engine.sqlValues(core.calls(tenant), core.clock.millis());
                Awaitility.await().atMost(Duration.ofSeconds(10))
                        .until(() -> folded(w.events(), "calls").map(f -> Equality.sameValues(f, sql)).orElse(false));
            }
            assertThat(core.engine.reconcile()).isZero();
            assertThat(core.feed.listenerFailures()).isZero();
        }
    }

    private static Optional<Position> lastChange(MemorySession w) {
        List<MemorySession.Ev> c = changes(w);
        return c.isEmpty() ? Optional.empty() : Optional.of(c.get(c.size() - 1).position());
    }

    private static List<MemorySession.Ev> changes(MemorySession w) {
        return w.events().stream().filter(e -> e.type().equals("change")).toList();
    }

    /** The tenant's call_logs changes after the watcher's first snapshot, up to {@code head}. */
    private static List<Change> expected(Core core, MemorySession w, String tenant, Position head) {
        Position start = w.events().stream().filter(e -> e.type().equals("snapshot")).findFirst().orElseThrow().position();
        return core.feed.history(start, head, tenant, 10_000_000).stream().filter(c -> c.dataset().equals("call_logs")).toList();
    }
}
