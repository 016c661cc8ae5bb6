package dev.switchboard.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * Owns this node's replication slot and its row in {@code sb_nodes} (floor, heartbeat), checks the
 * server settings capture depends on, and drops the slots of nodes that stopped heartbeating.
 *
 * <p>A logical slot pins WAL until its reader confirms it; a node that died would make the server
 * keep WAL until the disk fills. Two guards: {@code max_slot_wal_keep_size} must be set (the
 * server then invalidates a lagging slot), and every node drops slots whose heartbeat is older
 * than {@link CaptureSettings#staleAfter} when it starts and on each heartbeat.
 */
final class SlotKeeper {
    static final String PUBLICATION = "switchboard";
    static final String SLOT_PREFIX = "switchboard_";
    private static final System.Logger LOG = System.getLogger(SlotKeeper.class.getName());

    private final DataSource ds;
    private final String slot;
    private final String node;
    private final Epoch epoch;
    private final CaptureSettings settings;

    SlotKeeper(DataSource ds, String slot, String node, Epoch epoch, CaptureSettings settings) {
        this.ds = ds;
        this.slot = slot;
        this.node = node;
        this.epoch = epoch;
        this.settings = settings;
    }

    /**
     * A slot name unique per node and database, at most 56 characters: PostgreSQL allows 63, and
     * the live copies of the slot append a 7-character suffix. Slot names allow only
     * {@code [a-z0-9_]}: a hyphen in the node name becomes {@code __}, which no valid node name
     * contains (see {@code Config}), so {@code node-a} and {@code node_a} get different slots and
     * names without hyphens keep the slot names they always had.
     */
    static String slotName(String node, String database) {
        String name = SLOT_PREFIX + sanitize(node.replace("-", "__")) + "_" + sanitize(database);
        if (name.length() <= 56) {
            return name;
        }
        String hash = Integer.toHexString((node + "\0" + database).hashCode());
        return name.substring(0, 56 - hash.length() - 1) + "_" + hash;
    }

    private static String sanitize(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    String slot() {
        return slot;
    }

    /** Fails fast when the server cannot support capture as configured. */
    void checkServer() throws SQLException {
        try (Connection c = ds.getConnection(); var st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('wal_level'), current_setting('max_slot_wal_keep_size')")) {
            rs.next();
            if (!"logical".equals(rs.getString(1))) {
                throw new IllegalStateException("PostgreSQL runs with wal_level=" + rs.getString(1)
                        + "; capture needs wal_level=logical (ALTER SYSTEM SET wal_level = logical; then restart; see docs/POSTGRESQL.md)");
            }
            if (settings.requireWalKeepLimit() && "-1".equals(rs.getString(2))) {
                throw new IllegalStateException("max_slot_wal_keep_size is unlimited, so a dead node's replication slot could fill the disk; "
                        + "set it (ALTER SYSTEM SET max_slot_wal_keep_size = '4GB'; SELECT pg_reload_conf(); see docs/POSTGRESQL.md)");
            }
        }
    }

    /**
     * Makes sure this node's slot exists and is usable, and returns the floor: the sequence after
     * which the slot replays every change. A slot the server invalidated, or a missing one, is
     * created afresh and the floor moves to its starting point (older positions must resnapshot).
     */
    long prepare() throws SQLException {
        try (Connection c = ds.getConnection()) {
            String status = null;
            String confirmed = null;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT wal_status, confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        status = rs.getString(1);
                        confirmed = rs.getString(2);
                    }
                }
            }
            Long stored = storedFloor(c);
            if (status != null && !"lost".equals(status)) {
                long floor = stored != null ? stored : Positions.before(epoch.base(), Positions.parseLsn(confirmed));
                upsertRow(c, floor);
                return floor;
            }
            if (status != null) {
                LOG.log(System.Logger.Level.WARNING, "replication slot {0} was invalidated (max_slot_wal_keep_size); recreating it, "
                        + "positions before now can no longer be resumed", slot);
                dropSlot(c, slot);
            }
            upsertRow(c, 0); // the row first: a slot without a row is an orphan others may drop
            long start;
            try (PreparedStatement ps = c.prepareStatement("SELECT lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput')")) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    start = Positions.parseLsn(rs.getString(1));
                }
            }
            long floor = Positions.before(epoch.base(), start);
            upsertRow(c, floor);
            return floor;
        }
    }

    /** True when the durable slot exists and the server has not invalidated it. */
    boolean usable() throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT wal_status FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && !"lost".equals(rs.getString(1));
            }
        }
    }

    private Long storedFloor(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT floor_seq FROM sb_nodes WHERE slot_name = ? AND epoch = ?")) {
            ps.setString(1, slot);
            ps.setString(2, epoch.id());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    private void upsertRow(Connection c, long floor) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO sb_nodes (slot_name, node, epoch, floor_seq, seen_at) VALUES (?, ?, ?, ?, now())
                ON CONFLICT (slot_name) DO UPDATE SET node = EXCLUDED.node, epoch = EXCLUDED.epoch,
                    floor_seq = EXCLUDED.floor_seq, seen_at = EXCLUDED.seen_at""")) {
            ps.setString(1, slot);
            ps.setString(2, node);
            ps.setString(3, epoch.id());
            ps.setLong(4, floor);
            ps.executeUpdate();
        }
    }

    /**
     * Records that this node is alive and that it keeps every change after {@code floor}. Called
     * before the slot is confirmed past the floor, so a crash in between only replays more.
     */
    void heartbeat(long floor) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE sb_nodes SET floor_seq = ?, seen_at = now() WHERE slot_name = ?")) {
            ps.setLong(1, floor);
            ps.setString(2, slot);
            ps.executeUpdate();
        }
    }

    /**
     * Moves the durable slot up to {@code lsn}: WAL before it is released, and a restarted node
     * replays from there. Only ever called with the end of a transaction the window has dropped
     * (or the stream's end when the window is empty), after {@link #heartbeat} stored the floor.
     */
    void advance(long lsn) throws SQLException {
        // never backwards: PostgreSQL refuses a target below the slot's confirmed position
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT pg_replication_slot_advance(slot_name, ?::pg_lsn) "
                     + "FROM pg_replication_slots WHERE slot_name = ? AND confirmed_flush_lsn < ?::pg_lsn")) {
            ps.setString(1, Positions.lsn(lsn));
            ps.setString(2, slot);
            ps.setString(3, Positions.lsn(lsn));
            ps.execute();
        }
    }

    /** Drops other nodes' inactive slots in this database whose heartbeat is older than staleAfter. Returns their names. */
    List<String> dropStaleSlots() throws SQLException {
        List<String> dropped = new ArrayList<>();
        try (Connection c = ds.getConnection()) {
            List<String> stale = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT s.slot_name FROM pg_replication_slots s LEFT JOIN sb_nodes n ON n.slot_name = s.slot_name
                    WHERE s.database = current_database() AND s.slot_name LIKE 'switchboard\\_%' AND NOT s.active AND NOT s.temporary
                      AND s.slot_name <> ? AND (n.slot_name IS NULL OR n.seen_at < now() - make_interval(secs => ?))""")) {
                ps.setString(1, slot);
                ps.setDouble(2, settings.staleAfter().toMillis() / 1000.0);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        stale.add(rs.getString(1));
                    }
                }
            }
            for (String name : stale) {
                try {
                    dropSlot(c, name);
                    dropped.add(name);
                    LOG.log(System.Logger.Level.WARNING, "dropped replication slot {0}: its node has not been seen for {1}", name, settings.staleAfter());
                } catch (SQLException e) {
                    // it became active again between the query and the drop: its node is back
                    LOG.log(System.Logger.Level.INFO, "kept replication slot {0}: {1}", name, e.getMessage());
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    DELETE FROM sb_nodes n WHERE n.slot_name <> ? AND n.seen_at < now() - make_interval(secs => ?)
                      AND NOT EXISTS (SELECT 1 FROM pg_replication_slots s WHERE s.slot_name = n.slot_name)""")) {
                ps.setString(1, slot);
                ps.setDouble(2, settings.staleAfter().toMillis() / 1000.0);
                ps.executeUpdate();
            }
        }
        return dropped;
    }

    private static void dropSlot(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
            ps.setString(1, name);
            ps.execute();
        }
    }
}
