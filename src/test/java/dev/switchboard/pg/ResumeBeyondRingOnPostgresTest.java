package dev.switchboard.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Switchboard;
import dev.switchboard.change.Times;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On PostgreSQL, a subscriber that missed more of its dataset's changes than the 4,096-event ring
 * holds (written by another application over JDBC, with another tenant in between) resumes from
 * the node's in-memory change window: every missed change once, in order, no reset.
 */
class ResumeBeyondRingOnPostgresTest {
    static final String PATH = "/api/events/t1?datasets=call_logs&dashboards=calls";

    @TempDir
    Path dir;

    @Test
    void resumeBeyondTheRing_backfillsFromTheWindow() throws Exception {
        try (PgDatabase db = PgDatabase.create("beyondring"); Switchboard sb = Nodes.inProcess(db, "node1", dir)) {
            String resumeFrom;
            try (ResumingSubscriber first = new ResumingSubscriber(PATH)) {
                first.connect(sb.port());
                first.awaitSnapshot(Duration.ofSeconds(30));
                insert(db, "t1", "r", 0, 1);
                first.awaitChanges(1, Duration.ofSeconds(30));
                resumeFrom = first.lastId();
            }
            int missed = 6_000;
            for (int b = 1; b <= missed; b += 500) {
                insert(db, "t1", "r", b, 500);
                insert(db, "t2", "other", b, 100);
            }
            List<String> expected = new ArrayList<>();
            for (int i = 1; i <= missed; i++) {
                expected.add("c:r" + i);
            }
            // wait until the node has dispatched everything, so the ring has certainly overflowed
            String last = "r" + missed;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!Nodes.get(sb.port(), "/api/dashboards/calls/t1").body().contains("\"total_calls\":" + (missed + 1))
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            try (ResumingSubscriber resumed = new ResumingSubscriber(PATH, resumeFrom)) {
                resumed.connect(sb.port());
                resumed.awaitChanges(missed, Duration.ofSeconds(60));
                List<String> got = resumed.changes().stream().map(ResumingSubscriber.Received::opKey).toList();
                assertThat(resumed.problems()).as("no reset").isEmpty();
                assertThat(resumed.changes()).allMatch(r -> r.tenant().equals("t1"));
                assertThat(got).as("the missed changes once, in order, up to " + last + "; " + CallWorkload.firstDifference(expected, got))
                        .isEqualTo(expected);
            }
        }
    }

    private static void insert(PgDatabase db, String tenant, String prefix, int from, int count) throws Exception {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO call_logs (id, user_id, status, started_at, duration) VALUES (?, ?, 'active', ?::timestamptz, 0)")) {
            c.setAutoCommit(false);
            String at = Times.format(Instant.now().minusSeconds(60));
            for (int i = from; i < from + count; i++) {
                ps.setString(1, prefix + i);
                ps.setString(2, tenant);
                ps.setString(3, at);
                ps.addBatch();
            }
            ps.executeBatch();
            c.commit();
        }
    }
}
