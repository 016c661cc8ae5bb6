package dev.switchboard.packs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.dataset.Dataset;
import dev.switchboard.store.sqlite.SqliteStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteMigrationsTest {
    @TempDir
    Path dir;
    private String url;

    @BeforeEach
    void migrate() {
        url = "jdbc:sqlite:" + dir.resolve("packs.db");
        // as the server migrates: the SQL migrations and the Java one that rebuilds tables with (tenant, key) keys
        try (SqliteStore store = SqliteStore.open(dir.resolve("packs.db"))) {
            store.migrate(PackFiles.allDatasets());
        }
    }

    @Test
    void migrations_applyInVersionOrder_toAFreshDatabase() {
        MigrationInfo[] applied = Flyway.configure().dataSource(url, null, null).locations("classpath:db/sqlite").load().info().applied();
        assertThat(Arrays.stream(applied).map(m -> m.getVersion().getVersion()).toList())
                .containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17");
        assertThat(Arrays.stream(applied).map(MigrationInfo::getDescription).toList())
                .containsExactly("switchboard core", "calls", "bookings", "clinic", "shop", "campaigns", "call logs filter time indexes",
                        "filter time indexes for every pack", "scope indexes", "api keys", "seed compat", "shop activity and sold items",
                        "changes by tenant", "tenant private keys", "order items status within tenant", "campaigns seed compat", "names");
    }

    @Test
    void everyDataset_hasATableWithExactlyItsColumnsAndTypes() throws Exception {
        try (Connection conn = DriverManager.getConnection(url)) {
            for (Dataset d : PackFiles.allDatasets()) {
                if (d.name().equals("call_logs")) {
                    continue; // V2 predates the key-and-tenant-only NOT NULL rule; checked for columns below
                }
                SchemaChecks.assertMatches(d, columns(conn, d.name()), SchemaChecks.SQLITE_TYPES);
            }
            Dataset calls = PackFiles.datasets("calls").getFirst();
            assertThat(columns(conn, "call_logs").stream().map(SchemaChecks.DbColumn::name).toList())
                    .containsExactlyInAnyOrderElementsOf(calls.columnNames());
        }
    }

    @Test
    void everyPackTable_hasTenantAndKeyAsItsPrimaryKey_keysArePrivateToATenant() throws Exception {
        try (Connection conn = DriverManager.getConnection(url)) {
            for (Dataset d : PackFiles.allDatasets()) {
                java.util.TreeMap<Integer, String> pk = new java.util.TreeMap<>();
                try (var st = conn.createStatement(); var rs = st.executeQuery("PRAGMA table_info(" + d.name() + ")")) {
                    while (rs.next()) {
                        if (rs.getInt("pk") > 0) {
                            pk.put(rs.getInt("pk"), rs.getString("name"));
                        }
                    }
                }
                assertThat(pk.values()).as(d.name()).containsExactly(d.tenant(), d.key());
            }
        }
    }

    @Test
    void partialUpsert_ofAnExistingRow_isAccepted() throws Exception {
        try (Connection conn = DriverManager.getConnection(url)) {
            for (Dataset d : PackFiles.allDatasets()) {
                if (!d.name().equals("call_logs")) {
                    SchemaChecks.assertPartialUpsertAccepted(conn, d, false);
                }
            }
        }
    }

    private static List<SchemaChecks.DbColumn> columns(Connection conn, String table) throws Exception {
        List<SchemaChecks.DbColumn> out = new ArrayList<>();
        try (var st = conn.createStatement(); var rs = st.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (rs.next()) {
                out.add(new SchemaChecks.DbColumn(rs.getString("name"), rs.getString("type"), rs.getInt("notnull") == 1));
            }
        }
        return out;
    }
}
