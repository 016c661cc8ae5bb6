package dev.switchboard.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.CaptureNode;
import dev.switchboard.Switchboard;
import dev.switchboard.broker.NatsTestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One capture node and two edge nodes on one database and one JetStream stream, 16 writers with
 * rollbacks straight to PostgreSQL: a client on each edge, and a third that hops between the
 * edges at random moments with Last-Event-ID, all receive every committed change once, in commit
 * order, at the same positions; each edge's live dashboard equals SQL. The edges bootstrap their
 * views from PostgreSQL while changes flow and never decoded a change themselves: the snapshot
 * decides from each change's source transaction.
 */
@Tag("slow")
class EdgeHoppingTest {
    static final String PATH = "/api/events/t1?datasets=call_logs&dashboards=calls";
    static final long TARGET_CHANGES = 6_000;

    @TempDir
    Path dir;

    @Test
    void twoEdges_samePositions_hoppingClientSeesNoGapNoDuplicate_dashboardsEqualSql() throws Exception {
        String nats = NatsTestServer.shared();
        String stream = NatsTestServer.streamName("hop");
        try (PgDatabase db = PgDatabase.create("edgehop"); CaptureNode capture = Nodes.capture(db, "cap", dir.resolve("cap"), nats, stream);
             Switchboard a = Nodes.edge(db, "edge-a", dir.resolve("a"), nats, stream, Map.of());
             Switchboard b = Nodes.edge(db, "edge-b", dir.resolve("b"), nats, stream, Map.of());
             ResumingSubscriber onA = new ResumingSubscriber(PATH); ResumingSubscriber onB = new ResumingSubscriber(PATH);
             ResumingSubscriber hopper = new ResumingSubscriber(PATH)) {
            CallWorkload work = new CallWorkload(db);
            onA.connect(a.port());
            hopper.connect(a.port());
            onA.awaitSnapshot(Duration.ofSeconds(30));
            hopper.awaitSnapshot(Duration.ofSeconds(30));
            AtomicBoolean stopHopping = new AtomicBoolean();
            AtomicInteger hops = new AtomicInteger();
            List<CompletableFuture<Void>> writers = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                CallWorkload.Plan plan = work.new Plan("w" + i, 900 + i, 8, 0.8);
                writers.add(CompletableFuture.runAsync(() -> work.runJdbc(plan, false, () -> work.committedChanges.get() < TARGET_CHANGES, 15),
                        r -> Thread.ofPlatform().name("writer").start(r)));
            }
            // B's views bootstrap while the writers write
            onA.awaitChanges(200, Duration.ofSeconds(30));
            onB.connect(b.port());
            onB.awaitSnapshot(Duration.ofSeconds(30));
            Thread hopping = hopper.churn(17, () -> hops.incrementAndGet() % 2 == 1 ? b.port() : a.port(), stopHopping);
            CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(3, TimeUnit.MINUTES);
            stopHopping.set(true);
            hopping.join();
            List<String> expected = work.expected("t1");
            for (ResumingSubscriber s : List.of(onA, hopper)) {
                s.awaitChanges(expected.size(), Duration.ofSeconds(60));
            }
            String lastOnA = onA.lastId();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!lastOnA.equals(onB.lastId()) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(500);
            List<String> idsA = onA.changes().stream().map(ResumingSubscriber.Received::id).toList();
            List<String> idsHopper = hopper.changes().stream().map(ResumingSubscriber.Received::id).toList();
            List<String> idsB = onB.changes().stream().map(ResumingSubscriber.Received::id).toList();
            System.out.printf("edge hopping: %d changes of t1 by 16 writers; the hopper made %d connections (dashboard resnapshots %d); "
                            + "B's client joined after %d of them%n", expected.size(), hopper.connections(),
                    hopper.dashboardResets().size(), idsA.size() - idsB.size());

            for (ResumingSubscriber s : List.of(onA, hopper)) {
                assertThat(s.problems()).isEmpty();
                List<String> keys = s.changes().stream().map(ResumingSubscriber.Received::opKey).toList();
                assertThat(keys).as("every committed change once, in commit order; " + CallWorkload.firstDifference(expected, keys))
                        .isEqualTo(expected);
            }
            assertThat(onB.problems()).isEmpty();
            assertThat(idsB).as("B's client: the same positions as A's from where it joined").isEqualTo(idsA.subList(idsA.size() - idsB.size(), idsA.size()));
            assertThat(hopper.connections()).as("the hopper really moved between edges").isGreaterThan(6);
            assertThat(idsHopper).as("hopping A-B-A...: the same positions, no gap, no duplicate").isEqualTo(idsA);
            // a write through an edge answers with its commit's position, as the stream numbers it
            java.net.http.HttpResponse<String> written = Nodes.HTTP.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + b.port() + "/api/ingest/t1/call_logs"))
                    .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                            "[{\"id\":\"via-edge\",\"status\":\"active\",\"started_at\":\"" + java.time.Instant.now() + "\"}]")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(written.statusCode()).as(written.body()).isEqualTo(200);
            onA.awaitChanges(expected.size() + 1, Duration.ofSeconds(30));
            ResumingSubscriber.Received viaEdge = onA.changes().getLast();
            assertThat(viaEdge.key()).isEqualTo("via-edge");
            assertThat(written.body()).contains("\"position\":\"" + viaEdge.id() + "\"");
            ConcurrentWritersOverSseTest.assertDashboardEqualsSql(a, db);
            ConcurrentWritersOverSseTest.assertDashboardEqualsSql(b, db);
            assertThat(a.engine().reconcile()).as("every view on A equals SQL").isZero();
            assertThat(b.engine().reconcile()).as("every view on B equals SQL").isZero();
        } finally {
            NatsTestServer.deleteStream(nats, stream);
        }
    }
}
