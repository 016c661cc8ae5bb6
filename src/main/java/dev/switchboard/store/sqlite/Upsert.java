package dev.switchboard.store.sqlite;

import dev.switchboard.dataset.Column;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.store.IngestException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One ingest transaction: checks each row against what the table already holds (a new row needs
 * its required columns), then upserts it, updating only the columns the row carries. Keys are
 * private to a tenant (the primary key is (tenant, key)): a row is looked up within the tenant
 * only, so another tenant's rows can neither be seen nor block a write.
 */
final class Upsert {
    private final Connection conn;
    private final Dataset dataset;
    private final String tenant;
    /** Keys of this batch known to exist in the tenant (true) or not (false), as the batch goes. */
    private final Map<String, Boolean> exists = new HashMap<>();

    Upsert(Connection conn, Dataset dataset, String tenant) {
        this.conn = conn;
        this.dataset = dataset;
        this.tenant = tenant;
    }

    /** Applies {@link #check}'s rules row by row and writes each row. */
    int apply(List<Map<String, Object>> rows) throws SQLException {
        return run(rows, true);
    }

    /**
     * Every check of {@link #apply} (a new row needs its required columns), writing nothing: run
     * on a read connection before waiting for the writer.
     */
    void check(List<Map<String, Object>> rows) throws SQLException {
        run(rows, false);
    }

    private int run(List<Map<String, Object>> rows, boolean write) throws SQLException {
        for (int i = 0; i < rows.size(); i++) {
            Map<String, Object> row = rows.get(i);
            String key = String.valueOf(row.get(dataset.key()));
            boolean existing = exists(key);
            if (!existing) {
                for (Column c : dataset.columns().values()) {
                    if (c.required() && row.get(c.name()) == null) {
                        throw new IngestException(400, i, c.name(), "row " + i + ": " + c.name() + " is required for a new "
                                + dataset.name() + " row (key '" + key + "' does not exist yet)");
                    }
                }
            }
            if (write) {
                if (existing) {
                    update(row, key);
                } else {
                    insert(row);
                }
            }
            exists.put(key, true);
        }
        return rows.size();
    }

    private boolean exists(String key) throws SQLException {
        Boolean known = exists.get(key);
        if (known != null) {
            return known;
        }
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT 1 FROM " + dataset.name() + " WHERE " + dataset.tenant() + " = ? AND " + dataset.key() + " = ?")) {
            ps.setString(1, tenant);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private void insert(Map<String, Object> row) throws SQLException {
        List<String> cols = List.copyOf(row.keySet());
        String sql = "INSERT INTO " + dataset.name() + " (" + String.join(", ", cols) + ") VALUES ("
                + cols.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
        execute(sql, cols.stream().map(row::get).toList());
    }

    /** Updates only the columns the row carries, so a partial row (ending a call) keeps the rest. */
    private void update(Map<String, Object> row, String key) throws SQLException {
        List<String> cols = row.keySet().stream().filter(c -> !c.equals(dataset.key()) && !c.equals(dataset.tenant())).toList();
        if (cols.isEmpty()) {
            return;
        }
        String sql = "UPDATE " + dataset.name() + " SET " + cols.stream().map(c -> c + " = ?").collect(Collectors.joining(", "))
                + " WHERE " + dataset.tenant() + " = ? AND " + dataset.key() + " = ?";
        List<Object> values = new java.util.ArrayList<>(cols.stream().map(row::get).toList());
        values.add(tenant);
        values.add(key);
        execute(sql, values);
    }

    private void execute(String sql, List<Object> values) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            for (int i = 0; i < values.size(); i++) {
                Object v = values.get(i);
                ps.setObject(i + 1, v instanceof Boolean b ? (b ? 1 : 0) : v);
            }
            ps.executeUpdate();
        }
    }
}
