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
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * A REPEATABLE READ transaction and the MVCC snapshot it reads with ({@code pg_current_snapshot()}):
 * a committed transaction is visible exactly when its xid is below xmin, or below xmax and not
 * in the in-progress list. {@link #includes} applies that rule to the xid the change was decoded
 * with, which is exact even for transactions that had written their commit record but were not
 * yet visible when the snapshot was taken.
 *
 * <p>{@code includes} keeps working after the read ends, for changes still in the window or
 * below the floor as it was when the snapshot began (those were decoded and dropped before it).
 */
final class PgSnapshot implements Snapshot {
    private final Connection connection;
    private final Epoch epoch;
    private final ChangeWindow window;
    private final long floorAtStart;
    private final long headAtStart;
    private final long xmin;
    private final long xmax;
    private final long[] inProgress;

    private PgSnapshot(Connection connection, Epoch epoch, ChangeWindow window, long floorAtStart, String snapshot) {
        this.connection = connection;
        this.epoch = epoch;
        this.window = window;
        this.floorAtStart = floorAtStart;
        this.headAtStart = window.head();
        String[] parts = snapshot.split(":", -1);
        this.xmin = Long.parseLong(parts[0]);
        this.xmax = Long.parseLong(parts[1]);
        this.inProgress = parts[2].isEmpty() ? new long[0]
                : Arrays.stream(parts[2].split(",")).mapToLong(Long::parseLong).sorted().toArray();
    }

    /** Starts the snapshot on {@code c}, which must be in a REPEATABLE READ transaction that has run nothing yet. */
    static PgSnapshot begin(Connection c, Epoch epoch, ChangeWindow window) throws SQLException {
        long floor = window.floor(); // before the snapshot: anything dropped by now was decoded before it
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_current_snapshot()::text")) {
            rs.next();
            return new PgSnapshot(c, epoch, window, floor, rs.getString(1));
        }
    }

    /**
     * The newest change decoded when the snapshot began. A commit visible to the snapshot but not
     * yet decoded may lie beyond it; {@link #includes} stays exact for those, so a view's values
     * are right and only its first stamp is conservative (a client resuming from it replays
     * deltas it already has, which carry full values).
     */
    @Override
    public dev.switchboard.change.Position position() {
        return new dev.switchboard.change.Position(epoch.id(), Math.max(headAtStart, floorAtStart));
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
        long seq = change.position().seq();
        if (seq <= floorAtStart) {
            return true;
        }
        OptionalInt xid = window.xidOf(seq);
        if (xid.isEmpty()) {
            throw new IllegalStateException("change at " + change.position() + " is no longer held (floor "
                    + window.floor() + "); this snapshot is too old to tell whether it includes it");
        }
        return visible(widen(xid.getAsInt(), xmax));
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
