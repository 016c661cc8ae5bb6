package dev.switchboard.store.postgres;

import static dev.switchboard.store.postgres.Fixtures.EVENTS;
import static dev.switchboard.store.postgres.Fixtures.drain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.change.Change;
import dev.switchboard.change.Op;
import dev.switchboard.change.Position;
import dev.switchboard.store.IngestException;
import dev.switchboard.store.IngestResult;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PostgresIngestTest extends PgStoreTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Override
    String prefix() {
        return "ingest";
    }

    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private long count(String where) throws Exception {
        try (var c = db.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM events WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void ingest_newRows_insertedWithTypesAndPositionOfCommit() throws Exception {
        Position from = store.changes().head();
        IngestResult result = store.ingest(EVENTS, "t1", List.of(
                row("id", "i1", "tenant", "t1", "at", "2025-10-30T12:00:00.000Z", "n", 5L, "amount", 1.25, "flag", false, "meta", "{\"k\":1}"),
                row("id", "i2", "tenant", "t1", "at", "2025-10-30T12:00:01.000Z")));

        assertThat(result.count()).isEqualTo(2);
        List<Change> changes = drain(store.changes(), from, 2, WAIT);
        assertThat(changes).extracting(Change::key).containsExactly("i1", "i2");
        assertThat(result.position()).isEqualTo(changes.getLast().position());
        Change first = changes.getFirst();
        assertThat(first.after().raw("at")).isEqualTo("2025-10-30T12:00:00.000Z");
        assertThat(first.after().raw("meta")).isEqualTo("{\"k\": 1}");
        assertThat(first.after().raw("amount")).isEqualTo(1.25);
    }

    @Test
    void ingest_partialRow_updatesOnlyCarriedColumns() throws Exception {
        store.ingest(EVENTS, "t1", List.of(row("id", "p1", "tenant", "t1", "at", "2025-10-30T12:00:00.000Z", "n", 1L, "note", "keep")));
        Position from = store.changes().head();

        store.ingest(EVENTS, "t1", List.of(row("id", "p1", "tenant", "t1", "n", 2L)));

        Change update = drain(store.changes(), from, 1, WAIT).getFirst();
        assertThat(update.op()).isEqualTo(Op.UPDATE);
        assertThat(update.before().raw("n")).isEqualTo(1L);
        assertThat(update.after().raw("n")).isEqualTo(2L);
        assertThat(update.after().raw("note")).isEqualTo("keep");
        assertThat(update.after().raw("at")).isEqualTo("2025-10-30T12:00:00.000Z");
    }

    @Test
    void ingest_keyOfAnotherTenant_isAnotherRow_keysArePrivateToATenant() throws Exception {
        store.ingest(EVENTS, "owner", List.of(row("id", "k1", "tenant", "owner", "at", "2025-10-30T12:00:00.000Z", "n", 1L)));

        // a partial row of a key only another tenant holds is a new row to this tenant: it needs its required columns
        IngestException e = catchThrowableOfType(IngestException.class, () -> store.ingest(EVENTS, "intruder", List.of(
                row("id", "k-new", "tenant", "intruder", "at", "2025-10-30T12:00:00.000Z"),
                row("id", "k1", "tenant", "intruder", "n", 99L))));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).doesNotContain("owner").doesNotContain("another tenant");
        assertThat(count("id = 'k-new'")).as("the whole batch rolled back").isZero();

        store.ingest(EVENTS, "intruder", List.of(row("id", "k1", "tenant", "intruder", "at", "2025-10-30T12:00:00.000Z", "n", 99L)));
        store.ingest(EVENTS, "intruder", List.of(row("id", "k1", "tenant", "intruder", "n", 100L)));
        assertThat(count("id = 'k1' AND n = 1 AND tenant = 'owner'")).isOne();
        assertThat(count("id = 'k1' AND n = 100 AND tenant = 'intruder'")).isOne();
        assertThat(store.delete(EVENTS, "intruder", List.of("k1")).count()).isOne();
        assertThat(count("id = 'k1' AND n = 1 AND tenant = 'owner'")).isOne();
    }

    @Test
    void ingest_newRowMissingRequired_400AndNothingWritten() throws Exception {
        IngestException e = catchThrowableOfType(IngestException.class, () -> store.ingest(EVENTS, "t1", List.of(
                row("id", "m1", "tenant", "t1", "at", "2025-10-30T12:00:00.000Z"),
                row("id", "m2", "tenant", "t1", "n", 3L))));

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.row()).isEqualTo(1);
        assertThat(e.field()).isEqualTo("at");
        assertThat(count("id IN ('m1', 'm2')")).isZero();
    }

    @Test
    void ingest_databaseRefusal_400AndNothingWritten() throws Exception {
        IngestException e = catchThrowableOfType(IngestException.class, () -> store.ingest(EVENTS, "t1", List.of(
                row("id", "j1", "tenant", "t1", "at", "2025-10-30T12:00:00.000Z"),
                row("id", "j2", "tenant", "t1", "at", "2025-10-30T12:00:00.000Z", "meta", "{not json"))));

        assertThat(e.status()).isEqualTo(400);
        assertThat(count("id IN ('j1', 'j2')")).isZero();
    }

    @Test
    void delete_byKeys_onlyOwnTenantsRows() throws Exception {
        store.ingest(EVENTS, "a", List.of(row("id", "d1", "tenant", "a", "at", "2025-10-30T12:00:00.000Z"),
                row("id", "d2", "tenant", "a", "at", "2025-10-30T12:00:00.000Z")));
        store.ingest(EVENTS, "b", List.of(row("id", "d3", "tenant", "b", "at", "2025-10-30T12:00:00.000Z")));
        Position from = store.changes().head();

        IngestResult result = store.delete(EVENTS, "a", List.of("d1", "d3", "missing"));

        assertThat(result.count()).isEqualTo(1);
        Change delete = drain(store.changes(), from, 1, WAIT).getFirst();
        assertThat(delete.op()).isEqualTo(Op.DELETE);
        assertThat(delete.key()).isEqualTo("d1");
        assertThat(result.position()).isEqualTo(delete.position());
        assertThat(count("id IN ('d2', 'd3')")).isEqualTo(2);
    }

    @Test
    void ingest_thousandRows_oneTransaction() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            rows.add(row("id", "bulk" + i, "tenant", "t3", "at", dev.switchboard.change.Times.format(Instant.now()), "n", (long) i));
        }
        Position from = store.changes().head();
        long started = System.nanoTime();

        IngestResult result = store.ingest(EVENTS, "t3", rows);

        long millis = (System.nanoTime() - started) / 1_000_000;
        List<Change> changes = drain(store.changes(), from, 1000, WAIT);
        assertThat(changes).hasSize(1000);
        assertThat(changes).extracting(c -> Positions.commitOf(c.position().seq())).containsOnly(Positions.commitOf(result.position().seq()));
        System.out.println("ingest of 1000 rows took " + millis + " ms");
    }
}
