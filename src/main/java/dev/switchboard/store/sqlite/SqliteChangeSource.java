package dev.switchboard.store.sqlite;

import dev.switchboard.change.Change;
import dev.switchboard.change.ChangeSource;
import dev.switchboard.change.History;
import dev.switchboard.change.Op;
import dev.switchboard.change.Position;
import dev.switchboard.change.Row;
import dev.switchboard.change.Times;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads {@code sb_changes}. Our own commits signal at once; commits by other processes are found
 * by the feed's next poll, which this source bounds at {@link #EXTERNAL_POLL_MILLIS}.
 *
 * <p>The feed's reads ({@link #read}) have a connection of their own, outside the pool: however
 * busy the pool is (bootstraps, backfills of resuming clients, ingest checks), capture never
 * waits for a connection.
 */
final class SqliteChangeSource implements ChangeSource {
    /** How long a change committed by another process may wait before it is read. */
    static final long EXTERNAL_POLL_MILLIS = 20;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final DataSource pool;
    /** Capture's own connection, for {@link #read}; guarded by itself. */
    private final Connection capture;
    private final Semaphore wake = new Semaphore(0);
    private volatile String epoch = "";

    SqliteChangeSource(DataSource pool, Connection capture) {
        this.pool = pool;
        this.capture = capture;
    }

    void start() {
        try (Connection c = pool.getConnection(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT value FROM sb_meta WHERE name = 'epoch'")) {
            if (!rs.next()) {
                throw new IllegalStateException("sb_meta has no epoch; the change log was not migrated");
            }
            epoch = rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the change log epoch: " + e.getMessage(), e);
        }
        raise(head().seq()); // positions handed out before a restart stay known
    }

    @Override
    public String epoch() {
        if (epoch.isEmpty()) {
            throw new IllegalStateException("the store has not been migrated yet");
        }
        return epoch;
    }

    @Override
    public Position head() {
        try (Connection c = pool.getConnection()) {
            return headWithin(c);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the change log head: " + e.getMessage(), e);
        }
    }

    Position headWithin(Connection c) throws SQLException {
        // sqlite_sequence remembers the last seq even after pruning emptied the log.
        try (var st = c.createStatement(); var rs = st.executeQuery(
                "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'sb_changes'), 0)")) {
            rs.next();
            return new Position(epoch(), rs.getLong(1));
        }
    }

    @Override
    public Position floor() {
        try (Connection c = pool.getConnection(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT min(seq) FROM sb_changes")) {
            rs.next();
            long min = rs.getLong(1);
            return rs.wasNull() ? headWithin(c) : new Position(epoch(), min - 1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the change log floor: " + e.getMessage(), e);
        }
    }

    /**
     * The newest change a client can know of: the last one this process committed (an ingest
     * answer carries its position) or read (the feed delivers nothing newer). A commit by another
     * process reaches clients only through the feed, so it is below this once a client has it.
     * Kept in memory: a flood of forged positions costs no SQL.
     */
    @Override
    public java.util.Optional<Position> ceiling() {
        return java.util.Optional.of(new Position(epoch(), known));
    }

    /** The newest sequence this process committed or read. */
    private volatile long known;

    /** This process committed up to {@code seq}. */
    void committed(long seq) {
        raise(seq);
    }

    private synchronized void raise(long seq) {
        if (seq > known) {
            known = seq;
        }
    }

    /** Sequences are dense here, so the newest {@code changes} are simply the last ones. */
    @Override
    public Position warmStart(long changes) {
        Position head = head();
        return new Position(head.epoch(), Math.max(floor().seq(), head.seq() - changes));
    }

    @Override
    public List<Change> read(Position after, int max) {
        requireEpoch(after);
        synchronized (capture) {
            try {
                List<Change> out = query(capture, "SELECT " + COLUMNS + " FROM sb_changes WHERE seq > ? ORDER BY seq LIMIT ?", after.seq(), max);
                raise(out.isEmpty() ? after.seq() : out.getLast().position().seq());
                return out;
            } catch (SQLException e) {
                throw new IllegalStateException("reading the change log failed: " + e.getMessage(), e);
            }
        }
    }

    /** One tenant's changes of some datasets by SQL, through the index on (tenant, seq). */
    @Override
    public List<Change> historyPage(Position after, Position upto, String tenant, java.util.Set<String> datasets, int limit) {
        requireReachable(after);
        if (datasets.isEmpty() || limit <= 0) {
            return List.of();
        }
        List<Object> args = new ArrayList<>(List.of(tenant, after.seq(), upto.seq()));
        args.addAll(datasets);
        args.add(limit);
        List<Change> out = query("SELECT " + COLUMNS + " FROM sb_changes WHERE tenant = ? AND seq > ? AND seq <= ? AND dataset IN ("
                + String.join(", ", java.util.Collections.nCopies(datasets.size(), "?")) + ") ORDER BY seq LIMIT ?", args.toArray());
        requireReachable(after); // pruning only removes the oldest: still reachable means nothing was missed
        return out;
    }

    /** One tenant's changes by SQL: other tenants' rows are skipped by the database, not parsed. */
    @Override
    public List<Change> history(Position after, Position upto, String tenant, int max) {
        requireReachable(after); // also refuses another epoch
        List<Change> out = query("SELECT " + COLUMNS + " FROM sb_changes WHERE seq > ? AND seq <= ? AND tenant = ? ORDER BY seq LIMIT ?",
                after.seq(), upto.seq(), tenant, max + 1);
        requireReachable(after); // pruning only removes the oldest: still reachable means nothing was missed
        if (out.size() > max) {
            throw History.tooMany(max, tenant, after);
        }
        return out;
    }

    private static final String COLUMNS = "seq, tenant, dataset, op, row_key, before_row, after_row, committed_at";

    private void requireEpoch(Position p) {
        if (!p.epoch().equals(epoch())) {
            throw new IllegalArgumentException("position " + p + " is not of this change log (epoch " + epoch + ")");
        }
    }

    private List<Change> query(String sql, Object... args) {
        try (Connection c = pool.getConnection()) {
            return query(c, sql, args);
        } catch (SQLException e) {
            throw new IllegalStateException("reading the change log failed: " + e.getMessage(), e);
        }
    }

    private List<Change> query(Connection c, String sql, Object... args) throws SQLException {
        List<Change> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Change(new Position(epoch, rs.getLong(1)), rs.getString(2), rs.getString(3),
                            Op.parse(rs.getString(4)), rs.getString(5), image(rs.getString(6)), image(rs.getString(7)),
                            committedAt(rs.getString(8))));
                }
            }
        }
        return out;
    }

    private static Instant committedAt(String text) {
        return Times.parse(text).orElseGet(() -> Instant.parse(text));
    }

    /** Marks a nested value while decoding an image column by column. */
    private static final Object NESTED = new Object();

    /**
     * A row image from the trigger's JSON object, read value by value into the row (no map in
     * between); an image with a nested value (not written by our triggers) is read as a map.
     */
    static Row image(String json) {
        if (json == null) {
            return Row.NONE;
        }
        try (tools.jackson.core.JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != tools.jackson.core.JsonToken.START_OBJECT) {
                return Row.of(JSON.readValue(json, MAP));
            }
            List<String> names = new ArrayList<>(24);
            List<Object> values = new ArrayList<>(24);
            for (String name = p.nextName(); name != null; name = p.nextName()) {
                Object v = switch (p.nextToken()) {
                    case VALUE_STRING -> p.getString();
                    case VALUE_NUMBER_INT -> p.getNumberType() == tools.jackson.core.JsonParser.NumberType.BIG_INTEGER
                            ? p.getNumberValue() : (Object) p.getLongValue();
                    case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
                    case VALUE_TRUE -> Boolean.TRUE;
                    case VALUE_FALSE -> Boolean.FALSE;
                    case VALUE_NULL -> null;
                    default -> NESTED;
                };
                if (v == NESTED) {
                    return Row.of(JSON.readValue(json, MAP));
                }
                names.add(name);
                values.add(v);
            }
            return Row.of(names, values);
        }
    }

    @Override
    public void awaitSignal(long millis) throws InterruptedException {
        if (wake.tryAcquire(Math.min(millis, EXTERNAL_POLL_MILLIS), TimeUnit.MILLISECONDS)) {
            wake.drainPermits();
        }
    }

    @Override
    public void signal() {
        wake.release();
    }

    @Override
    public void close() {
        wake.release();
        synchronized (capture) {
            try {
                capture.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }
}
