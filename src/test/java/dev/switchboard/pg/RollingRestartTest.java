package dev.switchboard.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Switchboard;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling restart of two nodes on one PostgreSQL database while writers keep committing: a real
 * SSE client and a real WebSocket client stream from node A; A stops gracefully (what SIGTERM
 * runs), both are told to reconnect with their position, resume on B, and when A is back and B
 * stops in turn, move back to A. Across the three connections each client receives every change
 * of its tenant exactly once, in commit order.
 */
@Tag("slow")
class RollingRestartTest {
    static final String SSE_PATH = "/api/events/t1?datasets=call_logs&dashboards=calls";
    static final String WS_PATH = "/api/events/t1?datasets=call_logs";
    static final Duration BOUND = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void rollingRestart_clientsToldToReconnect_resumeOnTheOtherNode_everyChangeOnceInOrder() throws Exception {
        try (PgDatabase db = PgDatabase.create("rolling")) {
            Switchboard a = Nodes.inProcess(db, "nodea", dir.resolve("a"));
            Switchboard b = Nodes.inProcess(db, "nodeb", dir.resolve("b"));
            Switchboard a2 = null;
            AtomicBoolean stop = new AtomicBoolean();
            List<CompletableFuture<Void>> writers = new ArrayList<>();
            try (ResumingSubscriber sse = new ResumingSubscriber(SSE_PATH); ResumingWs ws = new ResumingWs(WS_PATH)) {
                CallWorkload work = new CallWorkload(db);
                sse.connect(a.port());
                ws.connect(a.port());
                sse.awaitSnapshot(Duration.ofSeconds(30));
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Nodes.get(a.port(), "/api/health").body().contains("\"sse_sessions\":2"));
                for (int i = 0; i < 3; i++) {
                    CallWorkload.Plan plan = work.new Plan("w" + i, 700 + i, 5, 0.8);
                    writers.add(CompletableFuture.runAsync(() -> work.runJdbc(plan, false, () -> !stop.get(), 10),
                            r -> Thread.ofPlatform().name("writer").start(r)));
                }
                awaitBoth(sse, ws, 200);

                // A stops gracefully while the writers go on
                a.shutdown(BOUND);
                awaitReconnect(sse, ws, 1);
                assertThat(sse.streamEnded()).isTrue();
                assertNoLiveSlotCopy(db, "nodea");
                int onA = sse.changeCount();
                sse.connect(b.port());
                ws.connect(b.port());
                awaitBoth(sse, ws, onA + 200);

                // A is back under its name; B stops: the clients move back to A
                a2 = Nodes.inProcess(db, "nodea", dir.resolve("a"));
                b.shutdown(BOUND);
                awaitReconnect(sse, ws, 2);
                int onB = sse.changeCount();
                sse.connect(a2.port());
                ws.connect(a2.port());
                awaitBoth(sse, ws, onB + 200);

                stop.set(true);
                CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(1, TimeUnit.MINUTES);
                List<String> expected = work.expected("t1");
                awaitBoth(sse, ws, expected.size());
                List<String> sseGot = sse.changes().stream().map(ResumingSubscriber.Received::opKey).toList();
                List<String> wsGot = ws.changes().stream().map(ResumingSubscriber.Received::opKey).toList();
                System.out.printf("rolling restart: %d changes of t1 (%d on A, %d more on B, the rest on A again); "
                                + "reconnect notices SSE %s, WebSocket %s; closes %s; dashboard resnapshots %s%n",
                        expected.size(), onA, onB - onA, sse.reconnects(), ws.reconnects(), ws.closes(), sse.dashboardResets());

                assertThat(sse.problems()).isEmpty();
                assertThat(ws.problems()).isEmpty();
                assertThat(sseGot).as("SSE: A, B, then A again: every change once, in commit order; "
                        + CallWorkload.firstDifference(expected, sseGot)).isEqualTo(expected);
                assertThat(wsGot).as("WebSocket: every change once, in commit order; "
                        + CallWorkload.firstDifference(expected, wsGot)).isEqualTo(expected);
                assertThat(sse.changes()).extracting(ResumingSubscriber.Received::connection).containsSequence(1, 2).contains(3);
                assertThat(ws.changes()).extracting(ResumingSubscriber.Received::connection).contains(1, 2, 3);
                for (ResumingSubscriber.Reconnect r : sse.reconnects()) {
                    assertThat(r.id()).as("SSE reconnect id: the last position written before it").isEqualTo(r.previousId());
                    assertThat(r.retry()).isNotNull();
                }
                for (ResumingWs.Reconnect r : ws.reconnects()) {
                    assertThat(r.id()).as("WebSocket reconnect id: the last position written before it").isEqualTo(r.previousId());
                }
                assertThat(ws.closes()).containsExactly("1012 service restart", "1012 service restart");
                // the commit-to-push latency of both transports, from PostgreSQL's commit times
                String metrics = Nodes.get(a2.port(), "/metrics").body();
                assertThat(metrics).containsPattern("switchboard_commit_to_push_seconds_count\\{transport=\"sse\"} [1-9]")
                        .containsPattern("switchboard_commit_to_push_seconds_count\\{transport=\"websocket\"} [1-9]");
            } finally {
                stop.set(true);
                CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(1, TimeUnit.MINUTES);
                a.close();
                b.close();
                if (a2 != null) {
                    a2.close();
                }
            }
        }
    }

    private static void awaitBoth(ResumingSubscriber sse, ResumingWs ws, int changes) {
        try {
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> sse.changeCount() >= changes && ws.changeCount() >= changes);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("waiting for " + changes + " changes: SSE has " + sse.changeCount() + " (last id " + sse.lastId()
                    + ", stream ended " + sse.streamEnded() + ", problems " + sse.problems() + "), WebSocket has " + ws.changeCount()
                    + " (problems " + ws.problems() + ", closes " + ws.closes() + ")", e);
        }
    }

    private static void awaitReconnect(ResumingSubscriber sse, ResumingWs ws, int notices) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> sse.reconnects().size() == notices && sse.streamEnded() && ws.reconnects().size() == notices
                        && ws.closes().size() == notices);
    }

    /** The node closed its replication connection: the temporary copy of its slot it streamed is gone, the durable slot stays. */
    private static void assertNoLiveSlotCopy(PgDatabase db, String node) {
        String slot = "switchboard_" + node + "_" + db.name;
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE temporary AND slot_name LIKE '" + slot + "\\_%'") == 0);
        assertThat(db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE NOT temporary AND NOT active AND slot_name = '" + slot + "'"))
                .as("the durable slot stays, for the node's return").isEqualTo(1);
    }
}
