package dev.switchboard.store.postgres;

import static dev.switchboard.store.postgres.Fixtures.drain;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.change.Change;
import dev.switchboard.change.ChangeSource;
import dev.switchboard.change.Op;
import dev.switchboard.change.Position;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PostgresCaptureTest extends PgStoreTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private ChangeSource source;

    @Override
    String prefix() {
        return "capture";
    }

    @BeforeAll
    void source() {
        source = store.changes();
    }

    private void psql(String sql) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("psql", "-X", "-v", "ON_ERROR_STOP=1", "-q",
                "postgresql://postgres@127.0.0.1:5432/" + db.name, "-c", sql).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("psql finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("psql exit, output: %s", out).isZero();
    }

    @Test
    void capture_psqlInsert_arrivesWithImages() throws Exception {
        Position from = source.head();
        psql("INSERT INTO events (id, tenant, at, n, amount, flag, meta, note) VALUES "
                + "('p1', 't1', '2025-10-30 12:34:56.789+02', 42, 12.5, true, '{\"a\": [1, 2]}', null)");

        List<Change> changes = drain(source, from, 1, WAIT);

        assertThat(changes).hasSize(1);
        Change c = changes.getFirst();
        assertThat(c.op()).isEqualTo(Op.CREATE);
        assertThat(c.dataset()).isEqualTo("events");
        assertThat(c.tenant()).isEqualTo("t1");
        assertThat(c.key()).isEqualTo("p1");
        assertThat(c.before().present()).isFalse();
        assertThat(c.after().raw("at")).isEqualTo("2025-10-30T10:34:56.789Z");
        assertThat(c.after().raw("n")).isEqualTo(42L);
        assertThat(c.after().raw("amount")).isEqualTo(12.5);
        assertThat(c.after().raw("flag")).isEqualTo(true);
        assertThat(c.after().raw("meta")).isEqualTo("{\"a\": [1, 2]}");
        assertThat(c.after().get("note")).isEmpty();
        assertThat(c.position().isAfter(from)).isTrue();
        assertThat(c.commitTime()).isNotNull();
    }

    @Test
    void capture_updateAndDelete_carryBeforeImages() throws Exception {
        Position from = source.head();
        psql("INSERT INTO events (id, tenant, at, n, note) VALUES ('u1', 't1', now(), 1, 'first');"
                + "UPDATE events SET n = 2 WHERE id = 'u1';"
                + "DELETE FROM events WHERE id = 'u1'");

        List<Change> changes = drain(source, from, 3, WAIT);

        assertThat(changes).extracting(Change::op).containsExactly(Op.CREATE, Op.UPDATE, Op.DELETE);
        Change update = changes.get(1);
        assertThat(update.before().raw("n")).isEqualTo(1L);
        assertThat(update.after().raw("n")).isEqualTo(2L);
        assertThat(update.after().raw("note")).as("unchanged columns are in the after image").isEqualTo("first");
        Change delete = changes.get(2);
        assertThat(delete.before().raw("n")).isEqualTo(2L);
        assertThat(delete.before().raw("tenant")).isEqualTo("t1");
        assertThat(delete.tenant()).isEqualTo("t1");
        assertThat(delete.after().present()).isFalse();
    }

    /** Keys are private to a tenant: a row moved to another tenant (or key) by SQL is a delete for the old one and a create for the new one. */
    @Test
    void capture_updateThatMovesTheRowToAnotherTenantOrKey_isADeleteAndACreate() throws Exception {
        Position from = source.head();
        psql("INSERT INTO events (id, tenant, at, n) VALUES ('m1', 't1', now(), 1);"
                + "UPDATE events SET tenant = 't2', n = 2 WHERE id = 'm1';"
                + "UPDATE events SET id = 'm2' WHERE id = 'm1'");

        List<Change> changes = drain(source, from, 5, WAIT);

        assertThat(changes).extracting(Change::op).containsExactly(Op.CREATE, Op.DELETE, Op.CREATE, Op.DELETE, Op.CREATE);
        assertThat(changes).extracting(Change::tenant).containsExactly("t1", "t1", "t2", "t2", "t2");
        assertThat(changes).extracting(Change::key).containsExactly("m1", "m1", "m1", "m1", "m2");
        assertThat(changes.get(1).before().raw("n")).isEqualTo(1L);
        assertThat(changes.get(2).after().raw("n")).isEqualTo(2L);
        assertThat(changes).extracting(c -> c.position().seq()).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void capture_rolledBackTransaction_absent() throws Exception {
        Position from = source.head();
        psql("BEGIN; INSERT INTO events (id, tenant, at) VALUES ('rb1', 't1', now()); ROLLBACK;");
        psql("BEGIN; INSERT INTO events (id, tenant, at) VALUES ('rb2', 't1', now()); SAVEPOINT s; "
                + "INSERT INTO events (id, tenant, at) VALUES ('rb3', 't1', now()); ROLLBACK TO s; COMMIT;");

        List<Change> changes = drain(source, from, 1, WAIT);

        assertThat(changes).extracting(Change::key).containsExactly("rb2");
    }

    @Test
    void capture_largeTransaction_positionsAscendWithinCommit() throws Exception {
        Position from = source.head();
        psql("INSERT INTO events (id, tenant, at, n) SELECT 'big' || g, 't2', now(), g FROM generate_series(1, 5000) g");

        List<Change> changes = drain(source, from, 5000, WAIT);

        assertThat(changes).hasSize(5000);
        assertThat(changes).extracting(c -> c.after().raw("n")).isSorted();
        long commit = Positions.commitOf(changes.getFirst().position().seq());
        assertThat(changes).allMatch(c -> Positions.commitOf(c.position().seq()) == commit);
    }

    @Test
    void snapshot_isRepeatableRead_includesEarlierNotLaterChanges() throws Exception {
        Position from = source.head();
        psql("INSERT INTO events (id, tenant, at) VALUES ('s-before', 't5', now())");
        Change before = drain(source, from, 1, WAIT).getFirst();

        var snapshot = store.read(s -> {
            List<Object> isolation = new java.util.ArrayList<>();
            s.query("SHOW transaction_isolation", List.of(), r -> isolation.add(r.raw("transaction_isolation")));
            assertThat(isolation).containsExactly("repeatable read");
            long[] counts = new long[2];
            s.query("SELECT count(*) AS n FROM events WHERE tenant = ?", List.of("t5"), r -> counts[0] = (Long) r.raw("n"));
            try {
                psql("INSERT INTO events (id, tenant, at) VALUES ('s-after', 't5', now())");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            s.query("SELECT count(*) AS n FROM events WHERE tenant = ?", List.of("t5"), r -> counts[1] = (Long) r.raw("n"));
            assertThat(counts).containsExactly(1, 1);
            return s;
        });
        Change after = drain(source, before.position(), 1, WAIT).getFirst();

        assertThat(snapshot.includes(before)).isTrue();
        assertThat(after.key()).isEqualTo("s-after");
        assertThat(snapshot.includes(after)).isFalse();
    }

    @Test
    void snapshot_decidesFromTheChangeAlone_inProgressAtStartIsNotIncluded() throws Exception {
        Position from = source.head();
        psql("INSERT INTO events (id, tenant, at) VALUES ('x-before', 't6', now())");
        Change before = drain(source, from, 1, WAIT).getFirst();
        try (java.sql.Connection open = db.connect()) {
            open.setAutoCommit(false);
            open.createStatement().execute("INSERT INTO events (id, tenant, at) VALUES ('x-open', 't6', now())");
            var snapshot = store.read(s -> s);
            open.commit();
            psql("INSERT INTO events (id, tenant, at) VALUES ('x-later', 't6', now())");
            List<Change> later = drain(source, before.position(), 2, WAIT);

            assertThat(before.source().present()).isTrue();
            assertThat(later).extracting(Change::key).containsExactly("x-open", "x-later");
            assertThat(snapshot.includes(before)).isTrue();
            assertThat(snapshot.includes(later.get(0))).as("in progress when the snapshot began, committed since").isFalse();
            assertThat(snapshot.includes(later.get(1))).isFalse();
            assertThat(snapshot.horizon()).isGreaterThanOrEqualTo(before.position()).isGreaterThanOrEqualTo(snapshot.position());
            assertThat(later.get(1).position()).as("committed after the snapshot's WAL position").isGreaterThan(snapshot.horizon());
            // a change long gone from this node's window, as an edge receives it from the broker: still decided
            Change old = new Change(before.position(), "t6", "events", Op.CREATE, "x-before", dev.switchboard.change.Row.NONE,
                    before.after(), before.commitTime(), before.source());
            assertThat(snapshot.includes(old)).isTrue();
            Change unsourced = new Change(before.position(), "t6", "events", Op.CREATE, "x-before", dev.switchboard.change.Row.NONE,
                    before.after(), before.commitTime());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> snapshot.includes(unsourced))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("source transaction");
        }
    }
}
