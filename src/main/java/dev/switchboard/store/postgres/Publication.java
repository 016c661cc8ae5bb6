package dev.switchboard.store.postgres;

import dev.switchboard.dataset.Dataset;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Installs capture on dataset tables: REPLICA IDENTITY FULL (so updates and deletes carry whole
 * before images) and membership in the shared publication, which publishes TRUNCATE too: views
 * rebuild from SQL and dataset subscribers are told to reload.
 */
final class Publication {
    private Publication() {}

    static void install(Connection c, List<Dataset> datasets) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (var st = c.createStatement()) {
            // nodes migrating together must not race to create the publication
            st.execute("SELECT pg_advisory_xact_lock(hashtext('switchboard.publication'))");
            if (!exists(c, "SELECT 1 FROM pg_publication WHERE pubname = ?", SlotKeeper.PUBLICATION)) {
                st.execute("CREATE PUBLICATION " + SlotKeeper.PUBLICATION + " WITH (publish = 'insert, update, delete, truncate')");
            } else if (!exists(c, "SELECT 1 FROM pg_publication WHERE pubname = ? AND pubtruncate", SlotKeeper.PUBLICATION)) {
                st.execute("ALTER PUBLICATION " + SlotKeeper.PUBLICATION + " SET (publish = 'insert, update, delete, truncate')");
            }
            for (Dataset d : datasets) {
                if (!exists(c, "SELECT 1 FROM pg_tables WHERE tablename = ? AND schemaname = ANY (current_schemas(false))", d.name())) {
                    throw new IllegalStateException("dataset " + d.name() + " has no table; add a migration under db/postgresql");
                }
                st.execute("ALTER TABLE " + PgWriter.q(d.name()) + " REPLICA IDENTITY FULL");
                if (!exists(c, "SELECT 1 FROM pg_publication_tables WHERE pubname = '" + SlotKeeper.PUBLICATION + "' AND tablename = ?", d.name())) {
                    st.execute("ALTER PUBLICATION " + SlotKeeper.PUBLICATION + " ADD TABLE " + PgWriter.q(d.name()));
                }
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    private static boolean exists(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
