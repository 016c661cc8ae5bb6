package dev.switchboard.packs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.dataset.Dataset;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Applies the PostgreSQL migrations to the local server (127.0.0.1:5432, user postgres, database
 * test) in a schema of its own, dropped afterwards. Without a server the test is skipped, unless
 * CI is set: there a missing database is a failure, not a pass.
 */
class PostgresMigrationsTest {
    private static final String URL = System.getProperty("switchboard.test.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String USER = System.getProperty("switchboard.test.pg.user", "postgres");

    private final String schema = "sb_packs_test_" + Long.toHexString(new SplittableRandom().nextLong() >>> 16);
    private Connection conn;

    @BeforeEach
    void connect() throws SQLException {
        try {
            conn = DriverManager.getConnection(URL, USER, "");
        } catch (SQLException e) {
            if (System.getenv("CI") != null) {
                throw e;
            }
            Assumptions.abort("no PostgreSQL at " + URL + ": " + e.getMessage());
        }
        Flyway.configure().dataSource(URL, USER, "").schemas(schema).defaultSchema(schema)
                .locations("classpath:db/postgresql").load().migrate();
        try (var st = conn.createStatement()) {
            st.execute("SET search_path TO " + schema);
        }
    }

    @AfterEach
    void dropSchema() throws SQLException {
        if (conn != null) {
            try (var st = conn.createStatement()) {
                st.execute("SET search_path TO public");
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
            conn.close();
        }
    }

    @Test
    void migrations_applyInVersionOrder() {
        MigrationInfo[] applied = Flyway.configure().dataSource(URL, USER, "").schemas(schema).defaultSchema(schema)
                .locations("classpath:db/postgresql").load().info().applied();
        applied = Arrays.stream(applied).filter(m -> m.getVersion() != null).toArray(MigrationInfo[]::new); // not the schema's creation
        assertThat(Arrays.stream(applied).map(m -> m.getVersion().getVersion()).toList())
                .containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15");
        assertThat(Arrays.stream(applied).map(MigrationInfo::getDescription).toList())
                .containsExactly("switchboard core", "calls", "bookings", "clinic", "shop", "campaigns", "list order indexes",
                        "scope indexes", "api keys", "seed compat", "shop activity and sold items", "call logs status time index", "tenant private keys", "campaigns seed compat", "names");
    }

    @Test
    void packMigrations_createEveryDatasetTableWithItsColumnsAndTypes() throws SQLException {
        List<Dataset> datasets = migratedDatasets();
        assertThat(datasets).extracting(Dataset::name).contains("leads", "clinic_appointments", "orders", "call_attempts");
        for (Dataset d : datasets) {
            SchemaChecks.assertMatches(d, columns(d.name()), SchemaChecks.POSTGRES_TYPES);
        }
    }

    @Test
    void partialUpsert_ofAnExistingRow_isAccepted() throws SQLException {
        for (Dataset d : migratedDatasets()) {
            SchemaChecks.assertPartialUpsertAccepted(conn, d, true);
        }
    }

    /**
     * Seed 003 (issue 9): the triggers of V11 keep order_items.order_status equal to its order's
     * status, and write the activity feed with the same messages as SQLite's V12 (whose rows
     * {@code Seed003RepairShopTest} checks through the API).
     */
    @Test
    void shopTriggers_keepTheItemsOrderStatus_andWriteTheActivityFeed_asOnSqlite() throws SQLException {
        String t = "'2026-01-01T10:0%d:00.000Z'";
        try (var st = conn.createStatement()) {
            st.execute("INSERT INTO customers (id, shop_id, name, created_at) VALUES ('c1', 's', 'Grace Kim', " + t.formatted(1) + ")");
            st.execute("INSERT INTO tickets (id, shop_id, ticket_number, device_type, issue, status, customer_views, created_at, updated_at)"
                    + " VALUES ('t1', 's', 'T-1', 'phone', 'Cracked screen', 'open', 0, " + t.formatted(2) + ", " + t.formatted(2) + ")");
            st.execute("UPDATE tickets SET status = 'diagnosing', updated_at = " + t.formatted(3) + " WHERE id = 't1'");
            st.execute("UPDATE tickets SET customer_views = 1, last_viewed_at = " + t.formatted(4) + " WHERE id = 't1'");
            st.execute("INSERT INTO products (id, shop_id, name, price, stock_quantity, active, created_at, updated_at)"
                    + " VALUES ('p1', 's', 'Phone case', 19.99, 12, true, " + t.formatted(5) + ", " + t.formatted(5) + ")");
            st.execute("UPDATE products SET price = 21.5, stock_quantity = 30, updated_at = " + t.formatted(6) + " WHERE id = 'p1'");
            st.execute("UPDATE products SET updated_at = " + t.formatted(7) + " WHERE id = 'p1'"); // nothing a person would call a change
            st.execute("INSERT INTO orders (id, shop_id, order_number, status, total, currency, created_at, updated_at)"
                    + " VALUES ('o1', 's', 'O-1', 'pending', 52.47, 'USD', " + t.formatted(8) + ", " + t.formatted(8) + ")");
            st.execute("INSERT INTO order_items (id, shop_id, order_id, quantity, created_at) VALUES ('i1', 's', 'o1', 3, " + t.formatted(8) + ")");
            assertThat(strings("SELECT COALESCE(order_status, '-') FROM order_items ORDER BY id")).containsExactly("pending");
            st.execute("UPDATE orders SET status = 'paid' WHERE id = 'o1'");
            st.execute("INSERT INTO order_items (id, shop_id, order_id, quantity, order_status, created_at)"
                    + " VALUES ('i2', 's', 'o1', 1, 'cancelled', " + t.formatted(8) + ")");
            assertThat(strings("SELECT COALESCE(order_status, '-') FROM order_items ORDER BY id")).containsExactly("paid", "paid");
            st.execute("DELETE FROM orders WHERE id = 'o1'");
            assertThat(strings("SELECT COALESCE(order_status, '-') FROM order_items ORDER BY id")).containsExactly("-", "-");
        }
        assertThat(strings("SELECT type || '|' || message FROM shop_activity WHERE shop_id = 's' ORDER BY at DESC")).containsExactly(
                "order_placed|Order O-1 placed: 52.47 USD (pending)",
                "product_updated|Product Phone case updated: price 19.99 -> 21.50, stock 12 -> 30",
                "product_updated|Product added: Phone case at 19.99",
                "ticket_viewed|Customer viewed ticket T-1 (1 view)",
                "ticket_status|Ticket T-1 moved from open to diagnosing",
                "new_ticket|New ticket T-1: phone - Cracked screen",
                "customer_registered|New customer: Grace Kim");
    }

    private List<String> strings(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (var st = conn.createStatement(); var rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** The datasets of packs that have a PostgreSQL migration here (the core and calls ones come from the store work). */
    private static List<Dataset> migratedDatasets() {
        List<String> files = PackFiles.migrations("postgresql");
        List<Dataset> out = new ArrayList<>();
        for (String pack : PackFiles.packs()) {
            if (files.stream().anyMatch(f -> f.endsWith("__" + pack + ".sql"))) {
                out.addAll(PackFiles.datasets(pack));
            }
        }
        return out;
    }

    private List<SchemaChecks.DbColumn> columns(String table) throws SQLException {
        List<SchemaChecks.DbColumn> out = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT column_name, data_type, is_nullable FROM information_schema.columns"
                + " WHERE table_schema = ? AND table_name = ?")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new SchemaChecks.DbColumn(rs.getString(1), rs.getString(2), rs.getString(3).equals("NO")));
                }
            }
        }
        return out;
    }
}
