package dev.switchboard.store.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Reads (and on first start, records) the epoch of the change log in {@code sb_meta}. The epoch
 * id joins the cluster's system identifier with a random value, so a database copied into another
 * cluster (whose WAL is another history) never resumes positions of the original. The base LSN
 * is recorded with the epoch; positions count from it.
 */
final class EpochStore {
    private EpochStore() {}

    static Epoch load(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (var st = c.createStatement()) {
            // serializes nodes starting together, so they agree on one epoch
            st.execute("LOCK TABLE sb_meta IN SHARE ROW EXCLUSIVE MODE");
            Map<String, String> meta = new HashMap<>();
            try (ResultSet rs = st.executeQuery("SELECT name, value FROM sb_meta")) {
                while (rs.next()) {
                    meta.put(rs.getString(1), rs.getString(2));
                }
            }
            String sysid;
            try (ResultSet rs = st.executeQuery("SELECT system_identifier::text FROM pg_control_system()")) {
                rs.next();
                sysid = rs.getString(1);
            }
            if (!sysid.equals(meta.get("sysid"))) {
                if (meta.containsKey("sysid")) {
                    // another cluster's WAL: positions of the old epoch mean nothing here
                    meta.put("epoch", UUID.randomUUID().toString().replace("-", "").substring(0, 12));
                }
                try (ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
                    rs.next();
                    meta.put("base_lsn", rs.getString(1));
                }
                meta.put("sysid", sysid);
                for (String name : new String[] {"epoch", "base_lsn", "sysid"}) {
                    try (var ps = c.prepareStatement("INSERT INTO sb_meta (name, value) VALUES (?, ?) "
                            + "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value")) {
                        ps.setString(1, name);
                        ps.setString(2, meta.get(name));
                        ps.executeUpdate();
                    }
                }
            }
            c.commit();
            String id = "pg" + Long.toUnsignedString(Long.parseUnsignedLong(sysid), 36) + "x" + meta.get("epoch");
            return new Epoch(id, Positions.parseLsn(meta.get("base_lsn")));
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }
}
