package dev.switchboard.store.sqlite;

import dev.switchboard.dataset.Dataset;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Installs the capture triggers of each dataset table. They are generated from the table's
 * declared columns and recreated at every start, so a migration that adds a column is captured.
 * An update that moves a row to another tenant or key is logged as a delete plus a create, so a
 * tenant's stream never carries another tenant's row.
 */
final class Triggers {
    private Triggers() {}

    static void install(Connection conn, List<Dataset> datasets) throws IllegalStateException {
        try (Statement st = conn.createStatement()) {
            for (Dataset d : datasets) {
                checkColumns(st, d);
                String t = d.name();
                String before = image("OLD", d);
                String after = image("NEW", d);
                String same = "OLD." + d.tenant() + " IS NEW." + d.tenant() + " AND OLD." + d.key() + " IS NEW." + d.key();
                String log = "INSERT INTO sb_changes (tenant, dataset, op, row_key, before_row, after_row) VALUES ";
                for (String suffix : List.of("i", "u", "m", "d")) {
                    st.execute("DROP TRIGGER IF EXISTS sb_capture_" + t + "_" + suffix);
                }
                st.execute("CREATE TRIGGER sb_capture_" + t + "_i AFTER INSERT ON " + t + " BEGIN " + log
                        + "(NEW." + d.tenant() + ", '" + t + "', 'c', NEW." + d.key() + ", NULL, " + after + "); END");
                st.execute("CREATE TRIGGER sb_capture_" + t + "_u AFTER UPDATE ON " + t + " WHEN " + same + " BEGIN " + log
                        + "(NEW." + d.tenant() + ", '" + t + "', 'u', NEW." + d.key() + ", " + before + ", " + after + "); END");
                st.execute("CREATE TRIGGER sb_capture_" + t + "_m AFTER UPDATE ON " + t + " WHEN NOT (" + same + ") BEGIN " + log
                        + "(OLD." + d.tenant() + ", '" + t + "', 'd', OLD." + d.key() + ", " + before + ", NULL); " + log
                        + "(NEW." + d.tenant() + ", '" + t + "', 'c', NEW." + d.key() + ", NULL, " + after + "); END");
                st.execute("CREATE TRIGGER sb_capture_" + t + "_d AFTER DELETE ON " + t + " BEGIN " + log
                        + "(OLD." + d.tenant() + ", '" + t + "', 'd', OLD." + d.key() + ", " + before + ", NULL); END");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("installing capture triggers failed: " + e.getMessage(), e);
        }
    }

    private static String image(String alias, Dataset d) {
        return "json_object(" + d.columnNames().stream().map(c -> "'" + c + "', " + alias + "." + c)
                .collect(Collectors.joining(", ")) + ")";
    }

    private static void checkColumns(Statement st, Dataset d) throws SQLException {
        Set<String> actual = new HashSet<>();
        try (var rs = st.executeQuery("PRAGMA table_info(" + d.name() + ")")) {
            while (rs.next()) {
                actual.add(rs.getString("name"));
            }
        }
        if (actual.isEmpty()) {
            throw new IllegalStateException("dataset " + d.name() + " has no table; add a migration under db/sqlite");
        }
        Set<String> missing = new HashSet<>(d.columnNames());
        missing.removeAll(actual);
        if (!missing.isEmpty()) {
            throw new IllegalStateException("table " + d.name() + " lacks declared columns " + missing);
        }
    }
}
