package dev.switchboard.pg;

import static org.assertj.core.api.Assertions.assertThat;

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
 * Two capture nodes ({@code serve --role capture}, separate JVMs) on one database and one
 * JetStream stream: A holds the capture lease and publishes, B stands by (both start together). While writers write and
 * a client streams from an edge node, A is killed with SIGKILL: B takes the lease, continues after
 * the stream's newest change, and the client receives every committed change once, in commit
 * order, with no reconnect; the stream itself holds each position once, in order.
 */
@Tag("slow")
class CaptureTakeoverTest {
    static final String PATH = "/api/events/t1?datasets=call_logs&dashboards=calls";

    @TempDir
    Path dir;

    @Test
    void activeCaptureKilled_standbyTakesOver_clientSeesNoGapNoDuplicate() throws Exception {
        String nats = NatsTestServer.shared();
        String stream = NatsTestServer.streamName("takeover");
        List<String> captureArgs = List.of("--role", "capture", "--broker", nats, "--broker-stream", stream);
        try (PgDatabase db = PgDatabase.create("takeover")) {
            // both start at once (a JVM each); whichever takes the lease first is A
            CompletableFuture<Nodes.Child> first = CompletableFuture.supplyAsync(() -> child(db, "cap-1", captureArgs));
            CompletableFuture<Nodes.Child> second = CompletableFuture.supplyAsync(() -> child(db, "cap-2", captureArgs));
            try (Nodes.Child one = first.get(2, TimeUnit.MINUTES); Nodes.Child two = second.get(2, TimeUnit.MINUTES);
                 Switchboard edge = Nodes.edge(db, "edge-1", dir.resolve("edge"), nats, stream, Map.of());
                 ResumingSubscriber sub = new ResumingSubscriber(PATH)) {
                Nodes.awaitHealth(one.port, "\"capture\":\"(active|standby)\"", Duration.ofSeconds(30));
                boolean oneLeads = Nodes.awaitHealth(one.port, "\"capture\":", Duration.ofSeconds(1)).contains("\"capture\":\"active\"");
                Nodes.Child a = oneLeads ? one : two;
                Nodes.Child b = oneLeads ? two : one;
                Nodes.awaitHealth(a.port, "\"capture\":\"active\"", Duration.ofSeconds(30));
                Nodes.awaitHealth(b.port, "\"capture\":\"standby\"", Duration.ofSeconds(30));
                CallWorkload work = new CallWorkload(db);
                sub.connect(edge.port());
                sub.awaitSnapshot(Duration.ofSeconds(30));
                AtomicBoolean stop = new AtomicBoolean();
                List<CompletableFuture<Void>> writers = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    CallWorkload.Plan plan = work.new Plan("w" + i, 700 + i, 6, 0.8);
                    writers.add(CompletableFuture.runAsync(() -> work.runJdbc(plan, false, () -> !stop.get(), 5),
                            r -> Thread.ofPlatform().name("writer").start(r)));
                }
                sub.awaitChanges(400, Duration.ofSeconds(60));
                // B has been following the stream: what it holds starts before the stream's newest change
                Nodes.awaitHealth(b.port, "\"capture\":\"standby\"", Duration.ofSeconds(5));

                a.kill();
                int atKill = sub.changeCount();
                String health = Nodes.awaitHealth(b.port, "\"capture\":\"active\"", Duration.ofSeconds(20));
                sub.awaitChanges(atKill + 400, Duration.ofSeconds(60));
                stop.set(true);
                CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(1, TimeUnit.MINUTES);
                List<String> expected = work.expected("t1");
                sub.awaitChanges(expected.size(), Duration.ofSeconds(60));
                Thread.sleep(500); // anything extra (a duplicate) would arrive now
                List<ResumingSubscriber.Received> got = sub.changes();
                List<String> opKeys = got.stream().map(ResumingSubscriber.Received::opKey).toList();
                String bHealth = Nodes.get(b.port, "/api/health").body();
                System.out.printf("capture takeover: %d changes of t1 (%d before SIGKILL of A); B became active: %s; B now: %s%n",
                        expected.size(), atKill, health, bHealth);

                assertThat(sub.problems()).isEmpty();
                assertThat(sub.connections()).as("the edge's stream never broke").isEqualTo(1);
                assertThat(opKeys).as("every committed change once, in commit order; " + CallWorkload.firstDifference(expected, opKeys))
                        .isEqualTo(expected);
                for (int i = 1; i < got.size(); i++) {
                    assertThat(got.get(i).seq()).isGreaterThan(got.get(i - 1).seq());
                }
                assertThat(bHealth).contains("\"takeovers\":1").doesNotContain("\"published\":0,");
                List<String> ids = NatsTestServer.messageIds(nats, stream);
                assertThat(new HashSet<>(ids)).as("each position once in the stream").hasSameSizeAs(ids);
                for (int i = 1; i < ids.size(); i++) {
                    assertThat(seqOf(ids.get(i))).as("stream order at " + i).isGreaterThan(seqOf(ids.get(i - 1)));
                }
                ConcurrentWritersOverSseTest.assertDashboardEqualsSql(edge, db);
            }
        } finally {
            NatsTestServer.deleteStream(nats, stream);
        }
    }

    private Nodes.Child child(PgDatabase db, String node, List<String> args) {
        try {
            return new Nodes.Child(db, node, dir, args);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static long seqOf(String id) {
        return Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
    }
}
