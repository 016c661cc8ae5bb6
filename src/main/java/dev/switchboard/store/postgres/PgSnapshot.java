package dev.switchboard.store.postgres;

import dev.switchboard.change.Change;
import dev.switchboard.change.Row;
import dev.switchboard.store.Snapshot;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A REPEATABLE READ transaction, the MVCC snapshot it reads with ({@code pg_current_snapshot()})
 * and how far the WAL had come when it began ({@code pg_current_wal_insert_lsn()}, read after the
 * snapshot was taken). {@link #includes} decides from the change alone, by its source
 * transaction: a change committed at or after that LSN cannot be visible; otherwise it is visible
 * exactly when its xid is below xmin, or below xmax and not in the in-progress list. That is exact
 * also for transactions that had written their commit record but were not yet visible, and it
 * needs no record of the changes decoded before the snapshot, so an edge node that receives its
 * changes from a broker bootstraps exactly as a capturing node does.
 */
final class PgSnapshot implements Snapshot {
    private final Connection connection;
    private final Epoch epoch;
    private final long headAtStart;
    private final long walAtStart;
    private final long xmin;
    private final long xmax;
    private final long[] inProgress;

    private PgSnapshot(Connection connection, Epoch epoch, long headAtStart, String snapshot, long walAtStart) {
        this.connection = connection;
        this.epoch = epoch;
        this.headAtStart = headAtStart;
        this.walAtStart = walAtStart;
        String[] parts = snapshot.split(":", -1);
        this.xmin = Long.parseLong(parts[0]);
        this.xmax = Long.parseLong(parts[1]);
        this.inProgress = parts[2].isEmpty() ? new long[0]
                : Arrays.stream(parts[2].split(",")).mapToLong(Long::parseLong).sorted().toArray();
    }

    /**
     * Starts the snapshot on {@code c}, which must be in a REPEATABLE READ transaction that has run
     * nothing yet. {@code head} is the sequence of the newest change this node has received.
     */
    static PgSnapshot begin(Connection c, Epoch epoch, long head) throws SQLException {
        // the snapshot is taken as the statement starts, so the insert LSN read during it is past
        // the commit record of every transaction the snapshot sees
        try (var st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_current_snapshot()::text, pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return new PgSnapshot(c, epoch, head, rs.getString(1), Positions.parseLsn(rs.getString(2)));
        }
    }

    /**
     * The newest change this node had received when the snapshot began. A commit visible to the
     * snapshot but not yet received may lie beyond it; {@link #horizon} bounds those, and
     * {@link #includes} stays exact for them, so a view's values are right and only its first
     * stamp is conservative (a client resuming from it replays deltas it already has, which carry
     * full values).
     */
    @Override
    public dev.switchboard.change.Position position() {
        return new dev.switchboard.change.Position(epoch.id(), headAtStart);
    }

    /** The largest position of a transaction committing before the WAL position the snapshot began at. */
    @Override
    public dev.switchboard.change.Position horizon() {
        return new dev.switchboard.change.Position(epoch.id(), Math.max(headAtStart, Positions.before(epoch.base(), walAtStart)));
    }

    @Override
    public dev.switchboard.store.Dialect dialect() {
        return PgDialect.INSTANCE;
    }

    @Override
    public boolean includes(Change change) {
        if (!change.position().epoch().equals(epoch.id())) {
            throw new IllegalArgumentException("change at " + change.position() + " is of another change log than " + epoch.id());
        }
        Change.Source source = change.source();
        if (!source.present()) {
            throw new IllegalArgumentException("change at " + change.position() + " carries no source transaction; "
                    + "a PostgreSQL snapshot decides by it");
        }
        if (source.commitLsn() >= walAtStart) {
            return false; // committed after the snapshot began
        }
        return visible(widen((int) source.xid(), xmax));
    }

    boolean visible(long fullXid) {
        return fullXid < xmin || fullXid < xmax && Arrays.binarySearch(inProgress, fullXid) < 0;
    }

    /** The 64-bit xid nearest {@code reference} whose low 32 bits are {@code xid}. */
    static long widen(int xid, long reference) {
        return reference + (int) (xid - (int) reference);
    }

    @Override
    public void query(String sql, List<Object> params, Consumer<Row> each) {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, PgValues.toJdbc(params.get(i)));
            }
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                int n = md.getColumnCount();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= n; i++) {
                        row.put(md.getColumnLabel(i), PgValues.fromJdbc(rs.getObject(i)));
                    }
                    each.accept(Row.of(row));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("snapshot query failed: " + e.getMessage() + " [" + sql + "]", e);
        }
    }
}
