package dev.switchboard.store.postgres;

import static dev.switchboard.store.postgres.Fixtures.drain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.switchboard.change.Change;
import dev.switchboard.change.Position;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Durable resume: positions survive closing the store, agree across nodes, and the floor is honest. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresResumeTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private PgTestDatabase db;
    private final List<PostgresStore> open = new ArrayList<>();

    @BeforeAll
    void setUp() {
        db = PgTestDatabase.create("resume");
        db.exec(Fixtures.EVENTS_DDL);
    }

    @AfterAll
    void tearDown() throws Exception {
        open.forEach(PostgresStore::close);
        if (db != null) {
            db.close();
        }
    }

    private PostgresStore store(String node, CaptureSettings settings) {
        PostgresStore s = Fixtures.store(db, node, settings);
        open.add(s);
        return s;
    }

    private void insert(String prefix, int count) {
        db.exec("INSERT INTO events (id, tenant, at, n) SELECT '" + prefix + "' || g, 't1', now(), g FROM generate_series(1, " + count + ") g");
    }

    private void insertEach(String prefix, int count) {
        for (int i = 1; i <= count; i++) {
            db.exec("INSERT INTO events (id, tenant, at, n) VALUES ('" + prefix + i + "', 't1', now(), " + i + ")");
        }
    }

    @Test
    void resume_afterCloseReopen_samePositionsNothingMissed() {
        PostgresStore first = store("resumer", Fixtures.settings());
        Position start = first.changes().head();
        insertEach("r", 10);
        List<Change> before = drain(first.changes(), start, 10, WAIT);
        first.close();
        insertEach("s", 10); // while the node is down

        PostgresStore again = store("resumer", Fixtures.settings());
        Position resumeAt = before.get(4).position();
        assertThat(again.changes().floor().compareTo(resumeAt)).isLessThanOrEqualTo(0);
        List<Change> after = drain(again.changes(), resumeAt, 15, WAIT);

        assertThat(after).hasSize(15);
        assertThat(after.subList(0, 5)).extracting(Change::position)
                .containsExactlyElementsOf(before.subList(5, 10).stream().map(Change::position).toList());
        assertThat(after).extracting(Change::key).containsExactly(
                "r6", "r7", "r8", "r9", "r10", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10");
        assertThat(again.changes().epoch()).isEqualTo(first.changes().epoch());
    }

    @Test
    void positions_twoNodesReadingOneDatabase_agree() {
        PostgresStore a = store("node_a", Fixtures.settings());
        PostgresStore b = store("node_b", Fixtures.settings());
        Position fromA = a.changes().head();
        Position fromB = b.changes().head();
        insert("two", 50);

        List<Change> seenByA = drain(a.changes(), fromA, 50, WAIT);
        List<Change> seenByB = drain(b.changes(), fromB, 50, WAIT);

        assertThat(seenByB).extracting(Change::position).containsExactlyElementsOf(seenByA.stream().map(Change::position).toList());
        assertThat(seenByB).containsExactlyElementsOf(seenByA);
    }

    @Test
    void floor_movesWithRetention_isPersistedAndReadBelowItFails() {
        var tiny = new CaptureSettings(Duration.ofHours(1), 5, Duration.ofHours(6), Duration.ofSeconds(1), true);
        PostgresStore s = store("tiny", tiny);
        Position start = s.changes().floor();
        insertEach("f", 12);
        await().atMost(WAIT).until(() -> s.changes().head().seq() > start.seq()
                && Fixtures.readAll(s.changes(), s.changes().floor()).size() <= 5 && s.changes().floor().isAfter(start));
        Position floor = s.changes().floor();

        assertThatThrownBy(() -> s.changes().read(start, 10)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("floor");
        List<Change> kept = Fixtures.readAll(s.changes(), floor);
        s.close();

        PostgresStore reopened = store("tiny", tiny);
        assertThat(reopened.changes().floor()).isEqualTo(floor);
        List<Change> replayed = drain(reopened.changes(), floor, kept.size(), WAIT);
        assertThat(replayed).containsExactlyElementsOf(kept);
    }

    @Test
    void aFeedBehindABurst_keepsItsChanges_capturePausesInsteadOfEvictingThem() {
        var tiny = new CaptureSettings(Duration.ofHours(1), 5, Duration.ofHours(6), Duration.ofSeconds(1), true);
        PostgresStore s = store("burst", tiny);
        Position start = s.changes().head();
        assertThat(s.changes().read(start, 1)).as("the feed reads, then falls behind").isEmpty();
        insertEach("b", 40);
        // capture decodes four windows' worth (5 x 4) while the feed reads nothing, far past the
        // 5 changes the window keeps for others; then it pauses until the feed reads
        await().atMost(WAIT).until(() -> s.changes().history(start, s.changes().head(), "t1", 1_000).size() > 20);
        assertThat(s.changes().floor()).as("nothing the feed has not read was evicted").isEqualTo(start);

        List<Change> all = drain(s.changes(), start, 40, WAIT);
        assertThat(all).extracting(Change::key).containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 40).mapToObj(i -> "b" + i).toList());
        await().atMost(WAIT).until(() -> s.changes().floor().isAfter(start)); // read now, so evicted as usual
    }

    @Test
    void staleSlot_ofDeadNode_isDroppedByLiveNode() throws Exception {
        PostgresStore dead = store("dead", Fixtures.settings());
        String slot = SlotKeeper.slotName("dead", db.name);
        dead.close();
        // the precondition before aging the heartbeat: once aged, the stores earlier tests left open
        // (closed after all tests) may drop the slot at their next heartbeat, before any check here
        assertThat(slotExists(slot)).isTrue();
        db.exec("UPDATE sb_nodes SET seen_at = now() - interval '7 hours' WHERE slot_name = '" + slot + "'");

        store("alive", Fixtures.settings());

        // dropped at start, or at the next heartbeat if the dead walsender had not exited yet
        await().atMost(WAIT).until(() -> !slotExists(slot));
    }

    @Test
    void lostSlot_isRecreated_floorMovesPastTheGap() {
        PostgresStore s = store("loser", Fixtures.settings());
        Position start = s.changes().head();
        insertEach("l", 3);
        List<Change> early = drain(s.changes(), start, 3, WAIT);
        String slot = SlotKeeper.slotName("loser", db.name);
        // what another node's stale-slot cleanup would do during a long absence: end the stream, drop the slot
        db.exec("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name LIKE '" + slot + "%' AND active");
        await().atMost(WAIT).ignoreExceptions().until(() -> {
            db.exec("SELECT pg_drop_replication_slot('" + slot + "')");
            return true;
        });
        insertEach("gap", 2); // committed while no slot existed: cannot be decoded any more

        await().atMost(WAIT).until(() -> slotExists(slot) && s.changes().floor().isAfter(early.getLast().position()));
        Position floor = s.changes().floor();
        insertEach("after", 2);

        assertThatThrownBy(() -> s.changes().read(early.getLast().position(), 10)).isInstanceOf(IllegalArgumentException.class);
        List<String> keys = Fixtures.drainUntil(s.changes(), floor, "after2", WAIT).stream().map(Change::key).toList();
        // gap rows committed after the new slot began (it is recreated within the backoff) are decoded; none before
        assertThat(keys).endsWith("after1", "after2").isSubsetOf("gap1", "gap2", "after1", "after2");
    }

    /** The source reports a capture that is not streaming (what /api/health turns into a 503), and clears it once back. */
    @Test
    void streamEnded_problemReported_untilStreamingAgain() {
        PostgresStore s = store("health", Fixtures.settings());
        await().atMost(WAIT).until(() -> s.changes().problem().isEmpty());
        String slot = SlotKeeper.slotName("health", db.name);
        Position start = s.changes().head();
        // end the stream until the gap shows: each end costs a reconnect, with growing backoff
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
            db.exec("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name LIKE '" + slot + "%' AND active");
            return s.changes().problem().isPresent();
        });
        assertThat(s.changes().problem().orElseThrow()).contains("not streaming from PostgreSQL");
        await().atMost(WAIT).until(() -> s.changes().problem().isEmpty());
        insertEach("h", 2);
        assertThat(drain(s.changes(), start, 2, WAIT)).extracting(Change::key).containsExactly("h1", "h2");
    }

    /** Regression: capture streams a copy, so a dropped durable slot went unnoticed while the copy ran. */
    @Test
    void droppedSlot_whileStreamRunsOnItsCopy_isNoticedAndRecreated() throws Exception {
        PostgresStore s = store("copyrun", Fixtures.settings());
        Position start = s.changes().head();
        insertEach("k", 2);
        List<Change> early = drain(s.changes(), start, 2, WAIT);
        String slot = SlotKeeper.slotName("copyrun", db.name);
        await().atMost(WAIT).until(() -> activeCopies(slot) > 0);
        db.exec("SELECT pg_drop_replication_slot('" + slot + "')"); // inactive: the stream is on the copy
        await().atMost(WAIT).until(() -> slotExists(slot) && s.changes().floor().isAfter(early.getLast().position()));
    }

    private int activeCopies(String slot) throws Exception {
        try (var c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE '" + slot + "%' AND slot_name <> '" + slot + "' AND active")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private boolean slotExists(String slot) throws Exception {
        try (var c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }
}
