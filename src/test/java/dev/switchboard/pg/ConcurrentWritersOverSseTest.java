package dev.switchboard.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Switchboard;
import dev.switchboard.live.Equality;
import dev.switchboard.live.LiveEngine;
import dev.switchboard.live.ViewKey;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The production path end to end, under load: 16 JDBC connections and a {@code psql} process
 * write interleaved transactions (inserts, updates, deletes, ~10% rolled back) straight to
 * PostgreSQL, 100,000 committed row changes, while an SSE subscriber is dropped and resumed
 * with {@code Last-Event-ID} at random (seeded) moments. Every committed change of its tenant
 * must arrive exactly once, in commit order, and the live dashboard must equal SQL.
 */
@Tag("slow")
class ConcurrentWritersOverSseTest {
    static final String PATH = "/api/events/t1?datasets=call_logs&dashboards=calls";
    static final long TARGET_CHANGES = 100_000;
    static final int WRITERS = 16;
    static final long SEED = 20261123L;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    @Test
    void writersAndPsql_everyCommittedChangeArrivesOnceInCommitOrder_acrossRandomReconnects() throws Exception {
        try (PgDatabase db = PgDatabase.create("writers"); Switchboard sb = Nodes.inProcess(db, "node1", dir);
             ResumingSubscriber sub = new ResumingSubscriber(PATH)) {
            CallWorkload work = new CallWorkload(db);
            sub.connect(sb.port());
            sub.awaitSnapshot(Duration.ofSeconds(30));

            AtomicBoolean stopChurn = new AtomicBoolean();
            Thread churn = sub.churn(SEED, sb::port, stopChurn);
            long started = System.nanoTime();
            List<CompletableFuture<Void>> writers = new ArrayList<>();
            for (int i = 0; i < WRITERS; i++) {
                CallWorkload.Plan plan = work.new Plan("w" + i, SEED + i, 12, 0.8);
                writers.add(CompletableFuture.runAsync(() -> work.runJdbc(plan, false,
                        () -> work.committedChanges.get() < TARGET_CHANGES), executor()));
            }
            CallWorkload.Plan psqlPlan = work.new Plan("p", SEED - 1, 12, 0.8);
            writers.add(CompletableFuture.runAsync(() -> {
                try {
                    work.runPsql(psqlPlan, 800, dir);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, executor()));
            CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(3, TimeUnit.MINUTES);
            long writeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            stopChurn.set(true);
            churn.join();

            List<CallWorkload.Tx> order = work.commitOrder();
            assertThat(order).extracting(CallWorkload.Tx::label).as("what writers saw commit is what tx_log holds")
                    .containsExactlyInAnyOrderElementsOf(work.committed);
            long committedChanges = order.stream().mapToLong(tx -> tx.ops().size()).sum();
            assertThat(committedChanges).isGreaterThanOrEqualTo(TARGET_CHANGES);
            List<String> expected = work.expected("t1");
            int got = sub.awaitChanges(expected.size(), Duration.ofSeconds(120));
            long deliveredMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            Thread.sleep(1000); // anything extra (a duplicate, a rolled-back row) would arrive now
            List<ResumingSubscriber.Received> received = sub.changes();
            List<String> opKeys = received.stream().map(ResumingSubscriber.Received::opKey).toList();

            System.out.printf("concurrent writers: %d transactions committed (%d rows inserted by rolled-back ones), %d row changes (%d for t1) in %d ms; "
                            + "SSE subscriber got %d changes over %d connections, all delivered after %d ms; %d writer retries%n",
                    order.size(), work.rolledBackKeys.size(), committedChanges, expected.size(), writeMillis, got, sub.connections(),
                    deliveredMillis, work.retries.get());
            assertThat(sub.dashboardResets()).as("one node: every dashboard resumed from its ring").isEmpty();
            assertThat(sub.problems()).as("no reset, no error: every reconnect resumed").isEmpty();
            assertThat(sub.connections()).as("the subscriber was really dropped and resumed").isGreaterThan(10);
            assertThat(opKeys.size()).as("count; first difference " + CallWorkload.firstDifference(expected, opKeys)).isEqualTo(expected.size());
            assertThat(opKeys).as("exactly the committed changes of t1, in commit order; first difference "
                    + CallWorkload.firstDifference(expected, opKeys)).isEqualTo(expected);
            assertThat(CallWorkload.duplicates(opKeys)).isEmpty();
            assertThat(received).extracting(ResumingSubscriber.Received::tenant).containsOnly("t1");
            for (int i = 1; i < received.size(); i++) {
                assertThat(received.get(i).seq()).as("positions strictly increase at " + i).isGreaterThan(received.get(i - 1).seq());
            }
            assertThat(new HashSet<>(opKeys.stream().map(k -> k.substring(2)).toList()))
                    .as("no rolled-back row").doesNotContainAnyElementsOf(work.rolledBackKeys);

            assertDashboardEqualsSql(sb, db);
        }
    }

    /** The live dashboard equals the engine's SQL for the same definition, and a hand-written count. */
    static void assertDashboardEqualsSql(Switchboard sb, PgDatabase db) throws Exception {
        ViewKey key = ViewKey.of("calls", "t1").withParam("hours", 24);
        LiveEngine.State state = sb.engine().state(key);
        Map<String, Object> sql = sb.engine().sqlValues(key, System.currentTimeMillis());
        for (String w : state.widgets().keySet()) {
            assertThat(Equality.sameValues(state.widgets().get(w), sql.get(w)))
                    .as(w + ": live " + state.widgets().get(w) + " sql " + sql.get(w)).isTrue();
        }
        JsonNode rest = JSON.readTree(Nodes.get(sb.port(), "/api/dashboards/calls/t1").body()).path("widgets");
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery("""
                SELECT count(*) FILTER (WHERE started_at > now() - interval '24 hours'),
                       count(*) FILTER (WHERE status = 'active'),
                       count(*) FILTER (WHERE outcome = 'completed' AND started_at > now() - interval '24 hours')
                FROM call_logs WHERE user_id = 't1'""")) {
            rs.next();
            assertThat(rs.getLong(1)).as("some rows").isPositive();
            assertThat(rest.path("total_calls").asLong()).as("total_calls vs SQL").isEqualTo(rs.getLong(1));
            assertThat(rest.path("active_calls").asLong()).as("active_calls vs SQL").isEqualTo(rs.getLong(2));
            assertThat(rest.path("completed_calls").asLong()).as("completed_calls vs SQL").isEqualTo(rs.getLong(3));
        }
    }

    private static java.util.concurrent.Executor executor() {
        return r -> Thread.ofPlatform().name("writer").start(r);
    }
}
