package dev.switchboard.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Switchboard;
import dev.switchboard.change.Times;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TRUNCATE of a dataset table by another application is a committed change too: the dashboard
 * drops to what SQL says (its views rebuild), dataset subscribers get a {@code reset} telling
 * them to reload, clients resuming from before the truncate get it as well, and changes after it
 * flow as usual.
 */
class TruncateOnPostgresTest {
    static final String PATH = "/api/events/t1?datasets=call_logs&dashboards=calls";

    @TempDir
    Path dir;

    @Test
    void truncate_resetsSubscribers_dashboardFollowsSql_laterChangesFlow() throws Exception {
        try (PgDatabase db = PgDatabase.create("truncate"); Switchboard sb = Nodes.inProcess(db, "node1", dir);
             ResumingSubscriber live = new ResumingSubscriber(PATH)) {
            live.connect(sb.port());
            live.awaitSnapshot(Duration.ofSeconds(30));
            sql(db, insert("a1", "t1") + insert("a2", "t1") + insert("a3", "t1") + insert("b1", "t2"));
            live.awaitChanges(3, Duration.ofSeconds(30));
            String beforeTruncate = live.lastId();
            awaitTotal(sb, "t1", 3);

            sql(db, "TRUNCATE call_logs");
            awaitTotal(sb, "t1", 0);
            awaitProblem(live, "truncated");

            sql(db, insert("a4", "t1"));
            live.awaitChanges(4, Duration.ofSeconds(30));
            assertThat(live.changes().getLast().key()).isEqualTo("a4");
            awaitTotal(sb, "t1", 1);

            // resuming from before the truncate: the ring replays the reset, then what followed
            try (ResumingSubscriber resumed = new ResumingSubscriber(PATH, beforeTruncate)) {
                resumed.connect(sb.port());
                resumed.awaitChanges(1, Duration.ofSeconds(30));
                assertThat(resumed.changes()).extracting(ResumingSubscriber.Received::key).containsExactly("a4");
                assertThat(resumed.problems()).anyMatch(p -> p.contains("truncated"));
            }
            // a tenant whose topic did not exist yet cannot resume across the truncate silently either
            try (ResumingSubscriber other = new ResumingSubscriber("/api/events/t3?datasets=call_logs", beforeTruncate)) {
                other.connect(sb.port());
                awaitProblem(other, "reset");
            }
        }
    }

    private static String insert(String id, String tenant) {
        return "INSERT INTO call_logs (id, user_id, status, started_at, duration) VALUES ('" + id + "', '" + tenant
                + "', 'active', '" + Times.format(Instant.now().minusSeconds(30)) + "', 0);";
    }

    private static void sql(PgDatabase db, String sql) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static void awaitTotal(Switchboard sb, String tenant, long total) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            body = Nodes.get(sb.port(), "/api/dashboards/calls/" + tenant).body();
            if (body.contains("\"total_calls\":" + total + ",")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("total_calls of " + tenant + " never became " + total + ": " + body);
    }

    private static void awaitProblem(ResumingSubscriber sub, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (sub.problems().stream().noneMatch(p -> p.contains(text))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no event containing '" + text + "'; problems: " + sub.problems());
            }
            Thread.sleep(20);
        }
    }
}
