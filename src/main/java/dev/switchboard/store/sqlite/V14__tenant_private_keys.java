package dev.switchboard.store.sqlite;

import dev.switchboard.dataset.Dataset;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Makes row keys private to a tenant (issue 12, finding 13): every dataset table's primary key
 * becomes (tenant column, key column), so tenants may use the same keys and a writer learns
 * nothing of another tenant's. SQLite cannot change a primary key in place, so each table is
 * rebuilt as SQLite documents it: created anew from its own stored definition with the new key,
 * filled, swapped in, its indexes created again. Every view and trigger is dropped first and
 * created again last (renaming a table checks every view and trigger, and a trigger of one table
 * may read another that is being rebuilt). Generic over the tables' definitions, so it also
 * carries whatever columns, indexes and triggers earlier migrations added. The capture triggers
 * are installed again at every start anyway.
 */
final class V14__tenant_private_keys extends BaseJavaMigration {
    private final List<Dataset> datasets;

    V14__tenant_private_keys(List<Dataset> datasets) {
        this.datasets = List.copyOf(datasets);
    }

    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        List<String> views = objects(c, "SELECT sql FROM sqlite_master WHERE type = 'view' AND sql IS NOT NULL ORDER BY rowid");
        List<String> triggers = objects(c, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL ORDER BY rowid");
        try (Statement st = c.createStatement()) {
            for (String name : objects(c, "SELECT name FROM sqlite_master WHERE type = 'view'")) {
                st.execute("DROP VIEW \"" + name + "\"");
            }
            for (String name : objects(c, "SELECT name FROM sqlite_master WHERE type = 'trigger'")) {
                st.execute("DROP TRIGGER \"" + name + "\"");
            }
            for (Dataset d : datasets) {
                rekey(c, st, d);
            }
            for (String view : views) {
                st.execute(view);
            }
            for (String trigger : triggers) {
                st.execute(trigger);
            }
        }
    }

    private static void rekey(Connection c, Statement st, Dataset d) throws SQLException {
        List<String> create = objects(c, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", d.name());
        if (create.isEmpty() || primaryKey(c, d.name()).equals(List.of(d.tenant(), d.key()))) {
            return;
        }
        List<String> indexes = objects(c, "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type = 'index' AND sql IS NOT NULL ORDER BY rowid",
                d.name());
        String temp = "sb_rekey_" + d.name();
        st.execute(newDefinition(create.get(0), d, temp));
        st.execute("INSERT INTO " + temp + " SELECT * FROM " + d.name());
        st.execute("DROP TABLE " + d.name());
        st.execute("ALTER TABLE " + temp + " RENAME TO " + d.name());
        for (String sql : indexes) {
            st.execute(sql);
        }
    }

    /** The table's definition named {@code as}, its key column no longer the primary key, and (tenant, key) as the primary key. */
    static String newDefinition(String create, Dataset d, String as) {
        Matcher head = Pattern.compile("^\\s*CREATE\\s+TABLE\\s+(\"?)" + Pattern.quote(d.name()) + "\\1\\s*\\(", Pattern.CASE_INSENSITIVE)
                .matcher(create);
        if (!head.find()) {
            throw new IllegalStateException("cannot read the definition of table " + d.name() + ": " + create);
        }
        String body = create.substring(head.end(), create.lastIndexOf(')'));
        Matcher key = Pattern.compile("(\\b" + Pattern.quote(d.key()) + "\\s+TEXT\\b[^,]*?)\\s+PRIMARY\\s+KEY\\b", Pattern.CASE_INSENSITIVE)
                .matcher(body);
        if (!key.find()) {
            throw new IllegalStateException("table " + d.name() + " does not declare " + d.key() + " as its primary key: " + create);
        }
        String column = key.group(1);
        String replaced = column.toUpperCase(java.util.Locale.ROOT).contains("NOT NULL") ? column : column + " NOT NULL";
        body = body.substring(0, key.start()) + replaced + body.substring(key.end());
        return "CREATE TABLE " + as + " (" + body.stripTrailing() + ",\n    PRIMARY KEY (" + d.tenant() + ", " + d.key() + "))";
    }

    private static List<String> primaryKey(Connection c, String table) throws SQLException {
        List<String[]> cols = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (rs.next()) {
                if (rs.getInt("pk") > 0) {
                    cols.add(new String[] {String.valueOf(rs.getInt("pk")), rs.getString("name")});
                }
            }
        }
        cols.sort(java.util.Comparator.comparingInt(a -> Integer.parseInt(a[0])));
        return cols.stream().map(a -> a[1]).toList();
    }

    private static List<String> objects(Connection c, String sql, String... args) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
