package dev.switchboard.store.postgres;

import static org.awaitility.Awaitility.await;

import dev.switchboard.change.Change;
import dev.switchboard.change.ChangeSource;
import dev.switchboard.change.Position;
import dev.switchboard.dataset.Column;
import dev.switchboard.dataset.ColumnType;
import dev.switchboard.dataset.Dataset;
import java.time.Duration;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The test dataset {@code events}, its table, and helpers to drain a change source. */
final class Fixtures {
    static final String EVENTS_DDL = """
            CREATE TABLE events (
                id text NOT NULL,
                tenant text NOT NULL,
                at timestamptz NOT NULL,
                n bigint,
                amount numeric,
                flag boolean,
                meta jsonb,
                note text,
                commit_no bigint,
                PRIMARY KEY (tenant, id)
            )""";

    static final Dataset EVENTS = dataset();

    private Fixtures() {}

    private static Dataset dataset() {
        Map<String, Column> cols = new LinkedHashMap<>();
        cols.put("id", col("id", ColumnType.TEXT, true));
        cols.put("tenant", col("tenant", ColumnType.TEXT, true));
        cols.put("at", col("at", ColumnType.TIME, true));
        cols.put("n", col("n", ColumnType.INTEGER, false));
        cols.put("amount", col("amount", ColumnType.NUMBER, false));
        cols.put("flag", col("flag", ColumnType.BOOLEAN, false));
        cols.put("meta", col("meta", ColumnType.JSON, false));
        cols.put("note", col("note", ColumnType.TEXT, false));
        cols.put("commit_no", col("commit_no", ColumnType.INTEGER, false));
        return new Dataset("events", "id", "tenant", "at", cols);
    }

    private static Column col(String name, ColumnType type, boolean required) {
        return new Column(name, type, required, List.of(), Column.DEFAULT_MAX_LENGTH, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    }

    /** Test settings: short heartbeat, retention long enough to hold a whole test. */
    static CaptureSettings settings() {
        return new CaptureSettings(Duration.ofMinutes(30), 1_000_000, Duration.ofHours(6), Duration.ofSeconds(1), true);
    }

    /** Opens a store on {@code db} for {@code node} and migrates it with the events dataset. */
    static PostgresStore store(PgTestDatabase db, String node) {
        return store(db, node, settings());
    }

    static PostgresStore store(PgTestDatabase db, String node, CaptureSettings settings) {
        PostgresStore store = PostgresStore.open(db.url, node, settings, Clock.systemUTC());
        store.migrate(List.of(EVENTS));
        return store;
    }

    /** Reads from {@code after} until at least {@code count} changes arrived (bounded wait); returns them all. */
    static List<Change> drain(ChangeSource source, Position after, int count, Duration timeout) {
        List<Change> out = new ArrayList<>();
        Position[] at = {after};
        await().atMost(timeout).pollInterval(Duration.ofMillis(5)).until(() -> {
            List<Change> batch;
            do {
                batch = source.read(at[0], 10_000);
                if (!batch.isEmpty()) {
                    out.addAll(batch);
                    at[0] = batch.getLast().position();
                }
            } while (!batch.isEmpty());
            return out.size() >= count;
        });
        return out;
    }

    /** Reads from {@code after} until the change of {@code key} arrives (bounded wait); returns all read. */
    static List<Change> drainUntil(ChangeSource source, Position after, String key, Duration timeout) {
        List<Change> out = new ArrayList<>();
        Position[] at = {after};
        await().atMost(timeout).pollInterval(Duration.ofMillis(5)).until(() -> {
            for (List<Change> b = source.read(at[0], 10_000); !b.isEmpty(); b = source.read(at[0], 10_000)) {
                out.addAll(b);
                at[0] = b.getLast().position();
            }
            return out.stream().anyMatch(c -> c.key().equals(key));
        });
        return out;
    }

    /** Everything readable after {@code after} right now. */
    static List<Change> readAll(ChangeSource source, Position after) {
        List<Change> out = new ArrayList<>();
        for (List<Change> batch = source.read(after, 10_000); !batch.isEmpty(); batch = source.read(after, 10_000)) {
            out.addAll(batch);
            after = batch.getLast().position();
        }
        return out;
    }
}
