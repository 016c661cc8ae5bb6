package dev.switchboard.packs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.dataset.Dataset;
import dev.switchboard.dataset.RowValidator;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Simulated traffic written into the migrated SQLite tables the way ingest writes it (validated,
 * then INSERT .. ON CONFLICT DO UPDATE of the columns a row carries): the tables take every row
 * and end up holding what the in-memory model holds.
 */
class SimulatorsOnSqliteTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    static List<String> packs() {
        return PackFiles.packs();
    }

    @ParameterizedTest
    @MethodSource("packs")
    void simulatedTraffic_fitsTheMigratedTables(String pack) throws SQLException {
        String url = "jdbc:sqlite:" + dir.resolve(pack + ".db");
        try (var store = dev.switchboard.store.sqlite.SqliteStore.open(dir.resolve(pack + ".db"))) {
            store.migrate(PackFiles.allDatasets()); // as the server migrates (keys private to a tenant)
        }
        Map<String, Dataset> datasets = new LinkedHashMap<>();
        PackFiles.datasets(pack).forEach(d -> datasets.put(d.name(), d));
        RecordingWriter model = new RecordingWriter(List.copyOf(datasets.values()));
        try (Connection conn = DriverManager.getConnection(url)) {
            // One transaction per step, as a batching writer would, and no fsync: durability is not under test.
            try (var st = conn.createStatement()) {
                st.execute("PRAGMA synchronous = OFF");
                st.execute("PRAGMA journal_mode = MEMORY");
            }
            conn.setAutoCommit(false);
            Simulator.Writer sql = new Simulator.Writer() {
                @Override
                public void upsert(String tenant, String dataset, List<Map<String, Object>> rows) {
                    model.upsert(tenant, dataset, rows);
                    Dataset d = datasets.get(dataset);
                    var typed = RowValidator.validate(d, tenant, rows.stream().<JsonNode>map(JSON::valueToTree).toList());
                    typed.rows().forEach(r -> upsertRow(conn, d, r));
                }

                @Override
                public void delete(String tenant, String dataset, List<String> keys) {
                    model.delete(tenant, dataset, keys);
                    Dataset d = datasets.get(dataset);
                    keys.forEach(k -> execute(conn, "DELETE FROM " + d.name() + " WHERE " + d.key() + " = ?", List.of(k)));
                }
            };
            Simulator simulator = Simulators.forPack(pack).orElseThrow();
            SplittableRandom random = new SplittableRandom(11);
            for (int i = 0; i < 360; i++) {
                model.now = Instant.parse("2025-10-30T08:00:00Z").plus(Duration.ofSeconds(5L * i));
                simulator.step(model.now, Traffic.uniform(simulator, 4, random), random, sql);
                conn.commit();
            }
            for (Dataset d : datasets.values()) {
                try (var st = conn.createStatement(); var rs = st.executeQuery("SELECT count(*) FROM " + d.name())) {
                    rs.next();
                    if (PackFiles.WRITTEN_BY_THE_DATABASE.contains(d.name())) {
                        assertThat(rs.getLong(1)).as(d.name() + " rows, written by the database's triggers").isPositive();
                        continue;
                    }
                    assertThat(rs.getLong(1)).as(d.name() + " rows").isEqualTo(model.rows(d.name()).size()).isPositive();
                }
            }
        }
    }

    private static void upsertRow(Connection conn, Dataset d, Map<String, Object> row) {
        List<String> cols = List.copyOf(row.keySet());
        String updates = cols.stream().filter(c -> !c.equals(d.key()) && !c.equals(d.tenant())).map(c -> c + " = excluded." + c).collect(Collectors.joining(", "));
        execute(conn, "INSERT INTO " + d.name() + " (" + String.join(", ", cols) + ") VALUES ("
                + cols.stream().map(c -> "?").collect(Collectors.joining(", ")) + ") ON CONFLICT (" + d.tenant() + ", " + d.key() + ") DO UPDATE SET " + updates,
                cols.stream().map(c -> row.get(c) instanceof Boolean b ? (Object) (b ? 1 : 0) : row.get(c)).toList());
    }

    private static void execute(Connection conn, String sql, List<Object> values) {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            for (int i = 0; i < values.size(); i++) {
                ps.setObject(i + 1, values.get(i));
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new AssertionError(sql + " " + values + ": " + e.getMessage(), e);
        }
    }
}
