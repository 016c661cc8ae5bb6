package dev.switchboard.store.sqlite;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.switchboard.change.ChangeSource;
import dev.switchboard.change.Position;
import dev.switchboard.change.Row;
import dev.switchboard.change.Times;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.store.Dialect;
import dev.switchboard.store.IngestException;
import dev.switchboard.store.IngestResult;
import dev.switchboard.store.Snapshot;
import dev.switchboard.store.Store;
import dev.switchboard.turns.Turns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.flywaydb.core.Flyway;

/**
 * The default store: one SQLite file. Writes go through one connection under a lock (SQLite
 * allows one writer anyway, and this keeps our own writers from spinning on busy timeouts),
 * handed to tenants in turn ({@link Turns}) after each batch was checked on a read
 * connection, so one tenant's large or failing batches cannot starve another's;
 * reads use a small pool and see consistent snapshots thanks to WAL mode.
 */
public final class SqliteStore implements Store {
    static final Dialect DIALECT = new Dialect() {
        @Override
        public String name() {
            return "sqlite";
        }

        @Override
        public Object time(Instant t) {
            return Times.format(t);
        }

        @Override
        public String number(String column) {
            return "CAST(" + column + " AS REAL)";
        }
    };

    private final HikariDataSource pool;
    private final Connection writer;
    private final SqliteChangeSource changes;
    private final Object writeLock = new Object();
    private final Turns turns = new Turns(1);

    private SqliteStore(HikariDataSource pool, Connection writer, Connection capture) {
        this.pool = pool;
        this.writer = writer;
        this.changes = new SqliteChangeSource(pool, capture);
    }

    /** Opens (creating if needed) the database file and applies the core migrations. */
    public static SqliteStore open(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl("jdbc:sqlite:" + file.toAbsolutePath());
            config.setMaximumPoolSize(4);
            config.setPoolName("sqlite-read");
            config.setConnectionInitSql("PRAGMA busy_timeout = 10000");
            HikariDataSource pool = new HikariDataSource(config);
            // write transactions take the write lock when they begin (BEGIN IMMEDIATE), waiting up to the busy
            // timeout: a deferred one that reads first fails at once with SQLITE_BUSY when another writer
            // (sqlite3, an application) holds the lock at its first write
            java.util.Properties props = new org.sqlite.SQLiteConfig() {{
                setTransactionMode(org.sqlite.SQLiteConfig.TransactionMode.IMMEDIATE);
            }}.toProperties();
            Connection writer = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), props);
            try (var st = writer.createStatement()) {
                st.execute("PRAGMA journal_mode = WAL");
                st.execute("PRAGMA synchronous = NORMAL");
                st.execute("PRAGMA busy_timeout = 10000");
            }
            Connection capture = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (var st = capture.createStatement()) {
                st.execute("PRAGMA busy_timeout = 10000");
            }
            return new SqliteStore(pool, writer, capture);
        } catch (Exception e) {
            throw new IllegalStateException("cannot open SQLite database " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Dialect dialect() {
        return DIALECT;
    }

    @Override
    public void migrate(List<Dataset> datasets) {
        Flyway.configure().dataSource(pool).locations("classpath:db/sqlite").javaMigrations(new V14__tenant_private_keys(datasets))
                .load().migrate();
        synchronized (writeLock) {
            Triggers.install(writer, datasets);
        }
        optimize();
        changes.start();
    }

    /**
     * Refreshes the query planner's statistics ({@code sqlite_stat1}) where they are missing or
     * the table has grown or shrunk a lot since they were taken, as SQLite recommends on open and
     * then periodically. {@code analysis_limit} samples each index instead of reading it whole,
     * so this stays cheap on big tables; when nothing changed it only compares sizes. Called
     * after {@link #migrate} and on the server's 10-minute schedule. The engine's bootstrap plans
     * do not depend on it (the migrations give each query an index that serves its filter and
     * order); it keeps the planner informed for other queries and future dashboards.
     */
    public void optimize() {
        synchronized (writeLock) {
            try (var st = writer.createStatement()) {
                st.execute("PRAGMA analysis_limit = 1000");
                st.execute("PRAGMA optimize = 0x10002"); // 0x10000: check every table, not only ones this connection used
            } catch (SQLException e) {
                throw new IllegalStateException("PRAGMA optimize failed: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public ChangeSource changes() {
        return changes;
    }

    @Override
    public IngestResult ingest(Dataset dataset, String tenant, List<Map<String, Object>> rows) {
        // Refuse a bad batch on a read connection, before queueing for the writer: a batch that
        // fails at its last row then costs other tenants nothing. The writer checks again.
        try (Connection conn = pool.getConnection()) {
            new Upsert(conn, dataset, tenant).check(rows);
        } catch (SQLException e) {
            throw new IllegalStateException("ingest check failed: " + e.getMessage(), e);
        }
        return write(tenant, conn -> new Upsert(conn, dataset, tenant).apply(rows));
    }

    @Override
    public IngestResult delete(Dataset dataset, String tenant, List<String> keys) {
        return write(tenant, conn -> {
            int n = 0;
            String sql = "DELETE FROM " + dataset.name() + " WHERE " + dataset.key() + " = ? AND " + dataset.tenant() + " = ?";
            try (PreparedStatement ps = conn.prepareStatement(sql)) {
                for (String key : keys) {
                    ps.setString(1, key);
                    ps.setString(2, tenant);
                    n += ps.executeUpdate();
                }
            }
            return n;
        });
    }

    /** Runs one write transaction in {@code tenant}'s turn at the single writer ({@link Turns}). */
    private IngestResult write(String tenant, SqlWork<Integer> work) {
        try {
            turns.acquire(tenant);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to write", e);
        }
        try {
            return write(work);
        } finally {
            turns.release(tenant);
        }
    }

    private IngestResult write(SqlWork<Integer> work) {
        synchronized (writeLock) {
            try {
                writer.setAutoCommit(false);
                try {
                    int count = work.run(writer);
                    Position at = changes.headWithin(writer);
                    writer.commit();
                    changes.committed(at.seq());
                    changes.signal();
                    return new IngestResult(count, at);
                } catch (SQLException | RuntimeException e) {
                    writer.rollback();
                    throw e;
                } finally {
                    writer.setAutoCommit(true);
                }
            } catch (SQLException e) {
                throw new IllegalStateException("write failed: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public int updateOwn(String sql, List<Object> params) {
        synchronized (writeLock) {
            try (PreparedStatement ps = writer.prepareStatement(sql)) {
                for (int i = 0; i < params.size(); i++) {
                    ps.setObject(i + 1, params.get(i));
                }
                return ps.executeUpdate();
            } catch (SQLException e) {
                throw new IllegalStateException("update failed: " + e.getMessage(), e);
            }
        }
    }

    /** The writer's turns (tests hold one to stand for a long write). */
    Turns turns() {
        return turns;
    }

    @Override
    public <T> T read(SnapshotReader<T> reader) {
        try (Connection conn = pool.getConnection()) {
            conn.setAutoCommit(false);
            try {
                // The first read starts SQLite's read transaction; everything after sees that state.
                Position at = changes.headWithin(conn);
                return reader.read(new SqliteSnapshot(conn, at));
            } finally {
                conn.rollback();
                conn.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("snapshot read failed: " + e.getMessage(), e);
        }
    }

    /** Deletes change-log entries older than the newest {@code keep}; returns how many went. */
    public int pruneChanges(long keep) {
        synchronized (writeLock) {
            try (var ps = writer.prepareStatement("DELETE FROM sb_changes WHERE seq <= (SELECT max(seq) FROM sb_changes) - ?")) {
                ps.setLong(1, keep);
                return ps.executeUpdate();
            } catch (SQLException e) {
                throw new IllegalStateException("pruning the change log failed: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void close() {
        changes.close();
        try {
            writer.close();
        } catch (SQLException ignored) {
            // closing anyway
        }
        pool.close();
    }

    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection conn) throws SQLException;
    }

    private record SqliteSnapshot(Connection conn, Position at) implements Snapshot {
        @Override
        public Position position() {
            return at;
        }

        @Override
        public Dialect dialect() {
            return DIALECT;
        }

        @Override
        public boolean includes(dev.switchboard.change.Change change) {
            return change.position().sameEpoch(at) && change.position().seq() <= at.seq();
        }

        @Override
        public void query(String sql, List<Object> params, Consumer<Row> each) {
            try (PreparedStatement ps = conn.prepareStatement(sql)) {
                for (int i = 0; i < params.size(); i++) {
                    ps.setObject(i + 1, params.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    Jdbc.forEachRow(rs, each);
                }
            } catch (SQLException e) {
                throw new IllegalStateException("query failed: " + e.getMessage() + " [" + sql + "]", e);
            }
        }
    }
}
