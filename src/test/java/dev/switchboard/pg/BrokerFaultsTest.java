package dev.switchboard.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.CaptureNode;
import dev.switchboard.Switchboard;
import dev.switchboard.broker.NatsTestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults around the broker, on a private nats-server this test may kill: while writers write and
 * a client streams from an edge, NATS is killed with SIGKILL and started again (both nodes report
 * degraded health meanwhile, then recover on their own); the edge is restarted and the client
 * resumes there from beyond the new edge's rings (256 events per topic), which replays from the
 * stream; the capture node is restarted. The client receives every committed change once, in
 * commit order; the stream holds each position once; the dashboard equals SQL.
 */
@Tag("slow")
class BrokerFaultsTest {
    static final String PATH = "/api/events/t1?datasets=call_logs&dashboards=calls";
    static final Map<String, String> SMALL_RINGS = Map.of("ring-size", "256");

    @TempDir
    Path dir;

    @Test
    void natsKilledAndRestarted_edgeRestarted_captureRestarted_clientSeesEveryChangeOnce() throws Exception {
        String stream = NatsTestServer.streamName("faults");
        try (NatsTestServer nats = NatsTestServer.start(dir.resolve("nats")); PgDatabase db = PgDatabase.create("brokerfaults");
             ResumingSubscriber sub = new ResumingSubscriber(PATH)) {
            CaptureNode capture = Nodes.capture(db, "cap", dir.resolve("cap"), nats.url(), stream);
            Switchboard edge = Nodes.edge(db, "edge-1", dir.resolve("edge"), nats.url(), stream, SMALL_RINGS);
            try {
                CallWorkload work = new CallWorkload(db);
                sub.connect(edge.port());
                sub.awaitSnapshot(Duration.ofSeconds(30));
                AtomicBoolean stop = new AtomicBoolean();
                CompletableFuture<Void> writers = writers(work, "a", stop);
                sub.awaitChanges(200, Duration.ofSeconds(60));

                // NATS dies: the edge cannot read the stream, the capture cannot publish; both say so
                nats.kill();
                String edgeDown = Nodes.awaitHealth(edge.port(), "^503 .*NATS", Duration.ofSeconds(20));
                String captureDown = Nodes.awaitHealth(capture.port(), "^503 ", Duration.ofSeconds(20));
                awaitCommitted(work, 150);
                nats.restart();
                Nodes.awaitHealth(edge.port(), "^200 ", Duration.ofSeconds(30));
                Nodes.awaitHealth(capture.port(), "^200 ", Duration.ofSeconds(30));
                int afterNats = sub.changeCount();
                sub.awaitChanges(afterNats + 150, Duration.ofSeconds(60));

                // the edge restarts; the client comes back with its Last-Event-ID once the edge's rings have
                // moved on (the writers pause meanwhile: a resume registers on the ring after replaying
                // the stream, and a ring this small would be overtaken by live writes during the replay)
                sub.disconnect();
                edge.close();
                awaitCommitted(work, 600); // about 480 of them for t1: more than the new edge's rings hold
                stop.set(true);
                writers.get(1, TimeUnit.MINUTES);
                edge = Nodes.edge(db, "edge-1", dir.resolve("edge"), nats.url(), stream, SMALL_RINGS);
                // and the capture has published what it still held (it lags the writers on a busy
                // machine): the new edge's position stands still before the client comes back
                Switchboard restarted = edge;
                java.util.concurrent.atomic.AtomicReference<String> seen = new java.util.concurrent.atomic.AtomicReference<>("");
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(700))
                        .until(() -> {
                            String now = restarted.feed().position().toString();
                            return now.equals(seen.getAndSet(now));
                        });
                sub.connect(edge.port());
                sub.awaitChanges(work.expected("t1").size(), Duration.ofSeconds(60));
                String edgeHealth = Nodes.get(edge.port(), "/api/health").body();

                // the capture node restarts and continues after the stream's newest change
                stop.set(false);
                writers = writers(work, "b", stop);
                sub.awaitChanges(sub.changeCount() + 150, Duration.ofSeconds(60));
                capture.close();
                awaitCommitted(work, 100);
                capture = Nodes.capture(db, "cap", dir.resolve("cap"), nats.url(), stream);
                int beforeCaptureBack = sub.changeCount();
                sub.awaitChanges(beforeCaptureBack + 150, Duration.ofSeconds(60));

                stop.set(true);
                writers.get(1, TimeUnit.MINUTES);
                List<String> expected = work.expected("t1");
                sub.awaitChanges(expected.size(), Duration.ofSeconds(60));
                Thread.sleep(500);
                List<ResumingSubscriber.Received> got = sub.changes();
                List<String> keys = got.stream().map(ResumingSubscriber.Received::opKey).toList();
                System.out.printf("broker faults: %d changes of t1; while NATS was down: edge %s; capture %s; restarted edge: %s; "
                                + "restarted capture: %s%n", expected.size(), edgeDown, captureDown, edgeHealth,
                        Nodes.get(capture.port(), "/api/health").body());

                assertThat(sub.problems()).as("resumed every time, never reset").isEmpty();
                assertThat(keys).as("every committed change once, in commit order; " + CallWorkload.firstDifference(expected, keys))
                        .isEqualTo(expected);
                for (int i = 1; i < got.size(); i++) {
                    assertThat(got.get(i).seq()).isGreaterThan(got.get(i - 1).seq());
                }
                assertThat(edgeHealth).as("the restarted edge replayed the client's missed changes from the stream")
                        .doesNotContain("\"backfills\":0");
                List<String> ids = NatsTestServer.messageIds(nats.url(), stream);
                assertThat(new HashSet<>(ids)).as("each position once in the stream").hasSameSizeAs(ids);
                for (int i = 1; i < ids.size(); i++) {
                    assertThat(CaptureTakeoverTest.seqOf(ids.get(i))).as("stream order at " + i).isGreaterThan(CaptureTakeoverTest.seqOf(ids.get(i - 1)));
                }
                ConcurrentWritersOverSseTest.assertDashboardEqualsSql(edge, db);
            } finally {
                edge.close();
                capture.close();
            }
        }
    }

    /** Three JDBC writers (transactions of 1-6 changes, ~10% rolled back, 10 ms apart) until {@code stop}. */
    private static CompletableFuture<Void> writers(CallWorkload work, String prefix, AtomicBoolean stop) {
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            CallWorkload.Plan plan = work.new Plan(prefix + i, prefix.hashCode() + i, 6, 0.8);
            writers.add(CompletableFuture.runAsync(() -> work.runJdbc(plan, false, () -> !stop.get(), 10),
                    r -> Thread.ofPlatform().name("writer").start(r)));
        }
        return CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new));
    }

    /** Waits until the writers committed {@code n} more changes. */
    private static void awaitCommitted(CallWorkload work, long n) throws InterruptedException {
        long target = work.committedChanges.get() + n;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (work.committedChanges.get() < target && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }
}
