package dev.switchboard.packs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.change.Times;
import dev.switchboard.dataset.Column;
import dev.switchboard.dataset.ColumnType;
import dev.switchboard.dataset.Dataset;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Checks, shared by the SQLite and PostgreSQL migration tests, that tables match their datasets. */
final class SchemaChecks {
    private SchemaChecks() {}

    static final Map<ColumnType, String> SQLITE_TYPES = Map.of(ColumnType.TEXT, "TEXT", ColumnType.INTEGER, "INTEGER",
            ColumnType.NUMBER, "REAL", ColumnType.BOOLEAN, "INTEGER", ColumnType.TIME, "TEXT", ColumnType.JSON, "TEXT");
    static final Map<ColumnType, String> POSTGRES_TYPES = Map.of(ColumnType.TEXT, "text", ColumnType.INTEGER, "bigint",
            ColumnType.NUMBER, "double precision", ColumnType.BOOLEAN, "boolean",
            ColumnType.TIME, "timestamp with time zone", ColumnType.JSON, "jsonb");

    /** A column as the database reports it. */
    record DbColumn(String name, String type, boolean notNull) {}

    static void assertMatches(Dataset d, List<DbColumn> actual, Map<ColumnType, String> types) {
        assertThat(actual).as("table " + d.name()).isNotEmpty();
        assertThat(actual.stream().map(DbColumn::name).toList()).as("columns of " + d.name())
                .containsExactlyInAnyOrderElementsOf(d.columnNames());
        for (DbColumn c : actual) {
            Column declared = d.column(c.name()).orElseThrow();
            assertThat(c.type()).as(d.name() + "." + c.name() + " type").isEqualTo(types.get(declared.type()));
            // Key and tenant are NOT NULL; other columns may be only if ingest requires them too,
            // so the database never refuses a row validation accepted. (Both stores write an
            // existing key with a plain UPDATE, so NOT NULL does not block partial rows.)
            boolean keyOrTenant = c.name().equals(d.key()) || c.name().equals(d.tenant());
            if (keyOrTenant) {
                assertThat(c.notNull()).as(d.name() + "." + c.name() + " NOT NULL").isTrue();
            } else if (c.notNull()) {
                assertThat(declared.required()).as(d.name() + "." + c.name() + " is NOT NULL, so it must be required").isTrue();
            }
        }
    }

    /**
     * Inserts a row with every required column, then writes a partial row the way both stores
     * write an existing key (UPDATE of the carried columns), which NOT NULL columns must not block.
     */
    static void assertPartialUpsertAccepted(Connection conn, Dataset d, boolean postgres) throws SQLException {
        List<Column> required = d.columns().values().stream().filter(Column::required).toList();
        String key = "k-" + d.name();
        insert(conn, d.name(), required.stream().map(Column::name).toList(),
                required.stream().map(c -> c.name().equals(d.key()) ? key : sample(c, postgres)).toList(), null);
        // What both stores do for an existing key: UPDATE only the columns the row carries.
        try (PreparedStatement ps = conn.prepareStatement("UPDATE " + d.name() + " SET " + d.tenant() + " = ? WHERE " + d.key() + " = ?")) {
            ps.setObject(1, "tenant-b");
            ps.setObject(2, key);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        try (var st = conn.createStatement(); var rs = st.executeQuery(
                "SELECT " + d.tenant() + " FROM " + d.name() + " WHERE " + d.key() + " = '" + key + "'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).as(d.name() + " after partial upsert").isEqualTo("tenant-b");
        }
    }

    private static void insert(Connection conn, String table, List<String> cols, List<Object> values, String conflictKey)
            throws SQLException {
        String sql = "INSERT INTO " + table + " (" + String.join(", ", cols) + ") VALUES ("
                + cols.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
        if (conflictKey != null) {
            List<String> updates = new ArrayList<>();
            cols.stream().filter(c -> !c.equals(conflictKey)).forEach(c -> updates.add(c + " = excluded." + c));
            sql += " ON CONFLICT (" + conflictKey + ") DO UPDATE SET " + String.join(", ", updates);
        }
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            for (int i = 0; i < values.size(); i++) {
                ps.setObject(i + 1, values.get(i));
            }
            ps.executeUpdate();
        }
    }

    private static Object sample(Column c, boolean postgres) {
        Instant t = Instant.parse("2025-10-30T12:34:56Z");
        return switch (c.type()) {
            case TEXT -> c.values().isEmpty() ? "x" : c.values().getFirst();
            case INTEGER -> c.min() > 1 ? (long) c.min() : 1L;
            case NUMBER -> 1.0;
            case BOOLEAN -> postgres ? (Object) Boolean.TRUE : (Object) 1;
            case TIME -> postgres ? (Object) OffsetDateTime.ofInstant(t, ZoneOffset.UTC) : (Object) Times.format(t);
            case JSON -> "{}";
        };
    }
}
