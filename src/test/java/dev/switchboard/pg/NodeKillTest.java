package dev.switchboard.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Switchboard;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node A ({@code serve --node nodea}, a separate JVM) is killed with SIGKILL while a client
 * streams from it and writers write; the client resumes on node B with its Last-Event-ID and
 * gets every later change exactly once, in order. Node A restarts under the same name and
 * replays its durable slot: a client resuming there from a position taken before the kill gets
 * exactly the changes it missed. Node A's durable slot stays while A is away (inactive, not
 * lost: it pins WAL until A returns, bounded by max_slot_wal_keep_size, and other nodes drop it
 * once A's heartbeat is older than 6 hours); the temporary live copy A streamed goes with its
 * killed connection, and A streams a new copy of the same slot when it restarts.
 */
@Tag("slow")
class NodeKillTest {
    static final String PATH = "/api/events/t1?datasets=call_logs&dashboards=calls";

    @TempDir
    Path dir;

    @Test
    void sigkillNodeA_clientResumesOnB_thenOnRestartedA_noGapNoDuplicate() throws Exception {
        try (PgDatabase db = PgDatabase.create("nodekill")) {
            Nodes.Child a = new Nodes.Child(db, "nodea", dir);
            Nodes.Child a2 = null;
            try (Switchboard b = Nodes.inProcess(db, "nodeb", dir.resolve("b")); ResumingSubscriber sub = new ResumingSubscriber(PATH)) {
                CallWorkload work = new CallWorkload(db);
                sub.connect(a.port);
                sub.awaitSnapshot(Duration.ofSeconds(30));
                AtomicBoolean stop = new AtomicBoolean();
                List<CompletableFuture<Void>> writers = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    CallWorkload.Plan plan = work.new Plan("w" + i, 300 + i, 6, 0.8);
                    writers.add(CompletableFuture.runAsync(() -> work.runJdbc(plan, false, () -> !stop.get(), 15),
                            r -> Thread.ofPlatform().name("writer").start(r)));
                }
                sub.awaitChanges(800, Duration.ofSeconds(60));
                String oldPosition = sub.lastId();
                int oldCount = sub.changeCount();
                sub.awaitChanges(oldCount + 400, Duration.ofSeconds(60));

                a.kill();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!sub.streamEnded() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(sub.streamEnded()).as("the killed node's stream ended").isTrue();
                int onA = sub.changeCount();
                String killedAt = sub.lastId();
                sub.connect(b.port()); // resume on B with the last id from A
                sub.awaitChanges(onA + 300, Duration.ofSeconds(30));

                Map<String, String> slotsWhileAway = slots(db);
                String slotA = "switchboard_nodea_" + db.name;
                assertThat(slotsWhileAway).as("A's durable slot survives A, inactive and not invalidated").containsEntry(slotA, "inactive reserved");
                awaitNoLiveCopy(db, slotA);
                // what bounds it: the server invalidates the slot past max_slot_wal_keep_size (the store refuses
                // to start while that is unlimited), and other nodes drop it once A's heartbeat in sb_nodes is stale
                assertThat(db.queryLong("SELECT setting::bigint FROM pg_settings WHERE name = 'max_slot_wal_keep_size'")).as("WAL a slot may pin is bounded").isPositive();
                assertThat(db.queryLong("SELECT safe_wal_size FROM pg_replication_slots WHERE slot_name = '" + slotA + "'"))
                        .as("A's slot has a finite WAL allowance left").isPositive();
                assertThat(db.queryLong("SELECT count(*) FROM sb_nodes WHERE node = 'nodea' AND seen_at > now() - interval '1 minute'"))
                        .as("A's heartbeat row, which the stale-slot cleanup reads").isEqualTo(1);

                a2 = new Nodes.Child(db, "nodea", dir);
                // A streams a temporary live copy of its durable slot again (the durable slot itself is only advanced)
                assertThat(db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE temporary AND active AND slot_name LIKE '"
                        + slotA + "\\_%'")).as("A streams its slot again").isEqualTo(1);
                try (ResumingSubscriber late = new ResumingSubscriber(PATH, oldPosition)) {
                    late.connect(a2.port);
                    stop.set(true);
                    CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(1, TimeUnit.MINUTES);
                    List<String> expected = work.expected("t1");
                    sub.awaitChanges(expected.size(), Duration.ofSeconds(60));
                    List<ResumingSubscriber.Received> all = sub.changes();
                    List<String> mustResume = all.stream().filter(r -> r.seq() > seqOf(oldPosition))
                            .map(ResumingSubscriber.Received::opKey).toList();
                    late.awaitChanges(mustResume.size(), Duration.ofSeconds(60));
                    Thread.sleep(1000);
                    List<String> got = all.stream().map(ResumingSubscriber.Received::opKey).toList();
                    List<String> lateGot = late.changes().stream().map(ResumingSubscriber.Received::opKey).toList();
                    System.out.printf("node kill: %d changes from A before SIGKILL (last %s), resumed on B; %d in all; "
                                    + "restarted A replayed %d changes to a client resuming from %s; slots while A was away: %s; "
                                    + "dashboard resnapshots: %s / %s%n",
                            onA, killedAt, got.size(), lateGot.size(), oldPosition, slotsWhileAway, sub.dashboardResets(), late.dashboardResets());
                    assertThat(sub.problems()).isEmpty();
                    assertThat(late.problems()).as("the restarted node resumes an old position, no reset").isEmpty();
                    assertThat(got).as("A then B: every committed change once, in commit order; "
                            + CallWorkload.firstDifference(expected, got)).isEqualTo(expected);
                    assertThat(all.stream().filter(r -> r.connection() == 2).findFirst().orElseThrow().seq())
                            .as("B continued right after A's last event").isGreaterThan(seqOf(killedAt));
                    for (int i = 1; i < all.size(); i++) {
                        assertThat(all.get(i).seq()).isGreaterThan(all.get(i - 1).seq());
                    }
                    assertThat(lateGot).as("restarted A: exactly the changes after the old position; "
                            + CallWorkload.firstDifference(mustResume, lateGot)).isEqualTo(mustResume);
                    assertThat(late.changes()).extracting(ResumingSubscriber.Received::id)
                            .as("the same positions as B and the old A gave").isEqualTo(all.stream().filter(r -> r.seq() > seqOf(oldPosition))
                                    .map(ResumingSubscriber.Received::id).toList());
                }
            } finally {
                a.close();
                if (a2 != null) {
                    a2.close();
                }
            }
        }
    }

    private static long seqOf(String id) {
        return Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
    }

    /** Durable (non-temporary) slots of the database: name -> "active|inactive wal_status". */
    private static Map<String, String> slots(PgDatabase db) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT slot_name, active, wal_status FROM pg_replication_slots WHERE database = current_database() AND NOT temporary ORDER BY 1")) {
            while (rs.next()) {
                out.put(rs.getString(1), (rs.getBoolean(2) ? "active " : "inactive ") + rs.getString(3));
            }
        }
        return out;
    }

    /** The temporary live copy of A's slot belonged to A's replication connection: the server drops it once it sees the connection gone. */
    private static void awaitNoLiveCopy(PgDatabase db, String slot) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            long copies = db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE temporary AND slot_name LIKE '" + slot + "\\_%'");
            if (copies == 0) {
                return;
            }
            assertThat(System.nanoTime()).as("A's temporary slot copy is dropped after SIGKILL").isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
