package dev.switchboard.store.postgres;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a sequence of statements, sending consecutive ones with the same SQL as one JDBC batch, so
 * rows are written in request order with one round trip per run of like-shaped rows. Remembers
 * which request row each statement belongs to, to name it in errors.
 */
final class Batches {
    private final Connection connection;
    private final List<Integer> missedInserts = new ArrayList<>();
    private final List<Integer> rows = new ArrayList<>();
    private PreparedStatement current;
    private String currentSql;

    Batches(Connection connection) {
        this.connection = connection;
    }

    void add(String sql, List<Object> params, int row) throws SQLException {
        if (!sql.equals(currentSql)) {
            flush();
            current = connection.prepareStatement(sql);
            currentSql = sql;
        }
        PgWriter.bind(current, params);
        current.addBatch();
        rows.add(row);
    }

    /** Sends what is pending; returns the request rows whose INSERT ... DO NOTHING inserted nothing. */
    List<Integer> finish() throws SQLException {
        flush();
        return missedInserts;
    }

    private void flush() throws SQLException {
        if (current == null) {
            return;
        }
        try (PreparedStatement ps = current) {
            int[] counts = ps.executeBatch();
            if (currentSql.startsWith("INSERT")) {
                for (int i = 0; i < counts.length; i++) {
                    if (counts[i] == 0) {
                        missedInserts.add(rows.get(i));
                    }
                }
            }
        } catch (BatchUpdateException e) {
            int failed = firstFailure(e.getUpdateCounts());
            SQLException cause = e.getNextException() != null ? e.getNextException() : e;
            throw PgWriter.refused(cause, failed < rows.size() ? rows.get(failed) : -1);
        } finally {
            current = null;
            currentSql = null;
            rows.clear();
        }
    }

    private static int firstFailure(int[] counts) {
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == Statement.EXECUTE_FAILED) {
                return i;
            }
        }
        return counts.length;
    }
}
