package dev.switchboard.store.postgres;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Proof that this node's name is not live elsewhere on the database: a session advisory lock keyed
 * by the node's slot name, held on a connection of its own for as long as the store is open.
 *
 * <p>Two processes with the same node name would share one replication slot and one row in
 * {@code sb_nodes}, each confirming WAL the other still needs. The lock turns that into a refusal
 * at start. A killed node's lock goes with its connection (the server notices the closed socket),
 * so a restart waits briefly for it rather than failing at once.
 */
final class NodeLock implements AutoCloseable {
    private final Connection connection;

    private NodeLock(Connection connection) {
        this.connection = connection;
    }

    /**
     * Takes the lock for {@code node}, waiting up to {@code waitMillis} for a holder that is going
     * away; refuses with an {@link IllegalStateException} naming the live holder otherwise.
     */
    static NodeLock acquire(String url, Properties credentials, String node, long waitMillis) throws SQLException {
        Connection c = OwnConnection.open(url, credentials, "switchboard node " + node);
        try {
            String slot = SlotKeeper.slotName(node, currentDatabase(c));
            long key = key(slot);
            long deadline = System.nanoTime() + waitMillis * 1_000_000;
            while (!tryLock(c, key)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("node name '" + node + "' is already in use by a running node on this database ("
                            + holder(c, key) + "); give each node its own --node name, or stop the other one first");
                }
                Thread.sleep(200);
            }
            return new NodeLock(c);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        } catch (InterruptedException e) {
            c.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for node name '" + node + "'", e);
        }
    }

    private static boolean tryLock(Connection c, long key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Who holds the lock, as far as {@code pg_locks} and {@code pg_stat_activity} tell. */
    private static String holder(Connection c, long key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT a.pid, coalesce(host(a.client_addr), 'a local socket'), "
                + "to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
                + "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                + "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.classid::text::bigint = ? "
                + "AND l.objid::text::bigint = ? AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1")) {
            ps.setLong(1, key >>> 32);
            ps.setLong(2, key & 0xffffffffL);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? "PostgreSQL backend " + rs.getInt(1) + " from " + rs.getString(2) + ", connected since " + rs.getString(3)
                        : "its session is not visible to this user";
            }
        }
    }

    private static String currentDatabase(Connection c) throws SQLException {
        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT current_database()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** A 64-bit key from the slot name; the prefix keeps it apart from other applications' advisory locks. */
    static long key(String slot) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(("switchboard-node:" + slot).getBytes(StandardCharsets.UTF_8));
            long k = 0;
            for (int i = 0; i < 8; i++) {
                k = (k << 8) | (h[i] & 0xff);
            }
            return k;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Releases the name (closing the connection releases the lock). */
    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // the server releases the lock with the session anyway
        }
    }
}
