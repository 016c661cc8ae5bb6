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
 * Which capture node of a database publishes to the broker: the one holding a session advisory
 * lock keyed by the database, on a connection of its own. The others stand by and try again.
 *
 * <p>A killed holder's lock goes with its connection (the server sees the socket close at once);
 * a holder cut off from the server loses it when the server ends its session, and notices at its
 * next {@link #hold} (the connection is no longer valid). Between the two a former holder may
 * still publish for a moment; the broker's expected-last-message check refuses its messages
 * unless they are the very ones the new holder would publish.
 */
final class CaptureLease implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CaptureLease.class.getName());

    private final String url;
    private final Properties credentials;
    private final String node;
    private Connection connection;
    private boolean held;

    CaptureLease(String url, Properties credentials, String node) {
        this.url = url;
        this.credentials = credentials;
        this.node = node;
    }

    /** Takes the lease when free, or confirms it is still held; false while another node holds it or the server is away. */
    synchronized boolean hold() {
        try {
            if (connection == null || !connection.isValid(2)) {
                if (held) {
                    LOG.log(System.Logger.Level.WARNING, "capture lease of node {0} lost with its connection", node);
                }
                held = false;
                closeConnection();
                connection = OwnConnection.open(url, credentials, "switchboard capture lease " + node);
            }
            if (!held) {
                try (PreparedStatement ps = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                    ps.setLong(1, key(currentDatabase(connection)));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        held = rs.getBoolean(1);
                    }
                }
            }
            return held;
        } catch (SQLException e) {
            held = false;
            closeConnection();
            return false;
        }
    }

    private static String currentDatabase(Connection c) throws SQLException {
        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT current_database()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** A 64-bit key from the database name, apart from node locks and other applications' advisory locks. */
    static long key(String database) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(("switchboard-capture:" + database).getBytes(StandardCharsets.UTF_8));
            long k = 0;
            for (int i = 0; i < 8; i++) {
                k = (k << 8) | (h[i] & 0xff);
            }
            return k;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the server releases the lock with the session anyway
            }
            connection = null;
        }
    }

    /** Gives the lease up (closing the connection releases the lock). */
    @Override
    public synchronized void close() {
        held = false;
        closeConnection();
    }
}
