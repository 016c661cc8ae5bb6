package dev.switchboard.store.postgres;

import dev.switchboard.dataset.Column;
import dev.switchboard.dataset.ColumnType;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.store.IngestException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.postgresql.util.PSQLException;

/**
 * Validated upserts and deletes in one transaction each. Returns the transaction's xid so the
 * store can find the commit's position once capture decodes it.
 *
 * <p>Keys are private to a tenant: the primary key is (tenant, key), and every lookup names the
 * tenant, so another tenant's rows are neither seen nor in the way. An upsert first locks the
 * tenant's existing rows of the batch's keys ({@code SELECT ... FOR UPDATE}), then updates the
 * carried columns of existing rows and inserts new ones with ON CONFLICT DO NOTHING, sending
 * consecutive statements of one shape as a JDBC batch. A plain INSERT ... ON CONFLICT DO UPDATE
 * would not do: PostgreSQL checks NOT NULL columns on the proposed row, which a partial update
 * does not carry. An insert that loses a race to a concurrent writer of the same key is retried
 * as an update.
 */
final class PgWriter {

    /** What one transaction wrote: the row count and its xid, empty if it wrote nothing. */
    record Written(int count, OptionalLong xid) {}

    Written upsert(Connection c, Dataset ds, String tenant, List<Map<String, Object>> rows) throws SQLException {
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).get(ds.key()) == null) {
                throw new IngestException(400, i, ds.key(), "row " + i + ": " + ds.key() + " is required (the row's key)");
            }
        }
        java.util.Set<String> existing = existing(c, ds, tenant, rows.stream().map(r -> r.get(ds.key())).toList());
        // Every row is checked before the first statement is sent: a batch that fails at its last
        // row writes (and locks) nothing more than the key lookup.
        java.util.Set<String> planned = new java.util.HashSet<>(existing);
        for (int i = 0; i < rows.size(); i++) {
            Map<String, Object> row = new LinkedHashMap<>(rows.get(i));
            row.put(ds.tenant(), tenant);
            if (planned.add(String.valueOf(row.get(ds.key())))) {
                requireComplete(ds, row, i);
            }
        }
        Batches batches = new Batches(c);
        for (int i = 0; i < rows.size(); i++) {
            Map<String, Object> row = new LinkedHashMap<>(rows.get(i));
            row.put(ds.tenant(), tenant);
            String key = String.valueOf(row.get(ds.key()));
            if (existing.add(key)) {
                batches.add(insertSql(ds, row), values(row, new ArrayList<>(row.keySet())), i);
            } else {
                List<String> set = carried(ds, row);
                if (!set.isEmpty()) { // nothing to change: the row exists and we hold its lock
                    List<Object> params = values(row, set);
                    params.add(row.get(ds.key()));
                    params.add(tenant);
                    batches.add(updateSql(ds, set), params, i);
                }
            }
        }
        for (int i : batches.finish()) { // inserts that found the key taken (by a concurrent writer of the tenant) after our lock query
            if (!retryAsUpdate(c, ds, tenant, rows.get(i))) {
                throw new IngestException(409, i, ds.key(), "row " + i + ": " + ds.key() + " '" + rows.get(i).get(ds.key())
                        + "' was written and deleted by another request meanwhile; retry");
            }
        }
        return new Written(rows.size(), xid(c));
    }

    /** The keys that exist in {@code tenant}, their rows locked until commit. */
    private static java.util.Set<String> existing(Connection c, Dataset ds, String tenant, List<Object> keys) throws SQLException {
        boolean numeric = isNumericKey(ds);
        java.util.Set<String> out = new java.util.HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + q(ds.key()) + "::text FROM " + q(ds.name())
                + " WHERE " + q(ds.tenant()) + " = ? AND " + q(ds.key()) + " = ANY (?) FOR UPDATE")) {
            ps.setString(1, tenant);
            ps.setArray(2, c.createArrayOf(numeric ? "int8" : "text", keys.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static void requireComplete(Dataset ds, Map<String, Object> row, int index) {
        for (Column col : ds.columns().values()) {
            if (col.required() && row.get(col.name()) == null) {
                throw new IngestException(400, index, col.name(), "row " + index + ": " + col.name() + " is required for a new " + ds.name() + " row");
            }
        }
    }

    private static boolean retryAsUpdate(Connection c, Dataset ds, String tenant, Map<String, Object> row) throws SQLException {
        List<String> set = carried(ds, row);
        String sql = set.isEmpty()
                ? "SELECT 1 FROM " + q(ds.name()) + " WHERE " + q(ds.key()) + " = ? AND " + q(ds.tenant()) + " = ? FOR UPDATE"
                : updateSql(ds, set);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            List<Object> params = values(row, set);
            params.add(row.get(ds.key()));
            params.add(tenant);
            bind(ps, params);
            if (set.isEmpty()) {
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
            return ps.executeUpdate() == 1;
        }
    }

    private static List<String> carried(Dataset ds, Map<String, Object> row) {
        return row.keySet().stream().filter(k -> !k.equals(ds.key()) && !k.equals(ds.tenant())).sorted().toList();
    }

    private static String updateSql(Dataset ds, List<String> set) {
        return "UPDATE " + q(ds.name()) + " SET " + set.stream().map(k -> q(k) + " = " + param(ds, k)).collect(Collectors.joining(", "))
                + " WHERE " + q(ds.key()) + " = " + param(ds, ds.key()) + " AND " + q(ds.tenant()) + " = ?";
    }

    private static String insertSql(Dataset ds, Map<String, Object> row) {
        List<String> cols = new ArrayList<>(row.keySet());
        return "INSERT INTO " + q(ds.name()) + " (" + cols.stream().map(PgWriter::q).collect(Collectors.joining(", "))
                + ") VALUES (" + cols.stream().map(k -> param(ds, k)).collect(Collectors.joining(", "))
                + ") ON CONFLICT (" + q(ds.tenant()) + ", " + q(ds.key()) + ") DO NOTHING";
    }

    private static List<Object> values(Map<String, Object> row, List<String> columns) {
        List<Object> out = new ArrayList<>(columns.size() + 2);
        columns.forEach(k -> out.add(row.get(k)));
        return out;
    }

    static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
        for (int p = 0; p < params.size(); p++) {
            ps.setObject(p + 1, params.get(p));
        }
    }

    private static boolean isNumericKey(Dataset ds) {
        return ds.column(ds.key()).map(col -> col.type() == ColumnType.INTEGER).orElse(false);
    }

    Written delete(Connection c, Dataset ds, String tenant, List<String> keys) throws SQLException {
        boolean numeric = isNumericKey(ds);
        Object[] values = numeric
                ? keys.stream().filter(k -> k.matches("-?\\d{1,18}")).map(Long::valueOf).toArray()
                : keys.toArray();
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + q(ds.name()) + " WHERE " + q(ds.tenant()) + " = ? AND "
                + q(ds.key()) + " = ANY (?)")) {
            ps.setString(1, tenant);
            ps.setArray(2, c.createArrayOf(numeric ? "int8" : "text", values));
            int n = ps.executeUpdate();
            return new Written(n, n == 0 ? OptionalLong.empty() : xid(c));
        }
    }

    private static OptionalLong xid(Connection c) throws SQLException {
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_current_xact_id_if_assigned()::text")) {
            rs.next();
            String v = rs.getString(1);
            return v == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(v));
        }
    }

    /** A parameter placeholder cast to the column's type, so nulls and strings bind alike. */
    private static String param(Dataset ds, String column) {
        ColumnType type = ds.column(column).map(Column::type).orElse(ColumnType.TEXT);
        return switch (type) {
            case TEXT -> "?";
            case INTEGER -> "?::bigint";
            case NUMBER -> "?::double precision";
            case BOOLEAN -> "?::boolean";
            case TIME -> "?::timestamptz";
            case JSON -> "?::jsonb";
        };
    }

    static String q(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** Data and constraint errors are the row's fault (400, naming the column when PostgreSQL does); others are not. */
    static SQLException refused(SQLException e, int index) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (!state.startsWith("22") && !state.startsWith("23")) {
            return e;
        }
        String column = e instanceof PSQLException p && p.getServerErrorMessage() != null
                && p.getServerErrorMessage().getColumn() != null ? p.getServerErrorMessage().getColumn() : "";
        String message = e instanceof PSQLException p && p.getServerErrorMessage() != null
                ? p.getServerErrorMessage().getMessage() : e.getMessage();
        throw new IngestException(400, index, column, "the database refused the row: " + message);
    }

}
