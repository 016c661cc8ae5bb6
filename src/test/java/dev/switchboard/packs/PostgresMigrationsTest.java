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
                .containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11");
        assertThat(Arrays.stream(applied).map(MigrationInfo::getDescription).toList())
                .containsExactly("switchboard core", "calls", "bookings", "clinic", "shop", "campaigns", "list order indexes",
                        "scope indexes", "api keys", "seed compat", "shop activity and sold items");
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
