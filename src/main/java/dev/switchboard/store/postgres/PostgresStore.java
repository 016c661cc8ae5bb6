package dev.switchboard.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.switchboard.change.ChangeSource;
import dev.switchboard.change.Position;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.store.Dialect;
import dev.switchboard.store.IngestException;
import dev.switchboard.store.IngestResult;
import dev.switchboard.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.flywaydb.core.Flyway;

/**
 * The production store on PostgreSQL (15 or newer, {@code wal_level=logical}; see
 * {@code docs/POSTGRESQL.md}). Each node opens one store with its own node name; nodes sharing a
 * database share its datasets and publication, keep one replication slot each, and number every
 * change identically.
 *
 * <p>{@link #migrate} must run before anything else: it applies the Flyway migrations in
 * {@code db/postgresql}, publishes the dataset tables with REPLICA IDENTITY FULL, creates or
 * reuses this node's slot and starts capture. {@link #ingest} returns once capture has decoded
 * the commit (normally milliseconds), so the position it reports is the commit's own; if capture
 * lags by more than five seconds it reports the newest position decoded instead.
 */
public final class PostgresStore implements Store {
    private static final long POSITION_WAIT_MILLIS = 5_000;

    private final String url;
    private final String node;
    private final CaptureSettings settings;
    private final Clock clock;
    private final HikariDataSource pool;
    private final PgWriter writer = new PgWriter();
    private Capture capture;

    private PostgresStore(String url, String node, CaptureSettings settings, Clock clock) {
        if (node.isBlank()) {
            throw new IllegalArgumentException("node name must not be blank; each node sharing a database needs its own");
        }
        this.url = url;
        this.node = node;
        this.settings = settings;
        this.clock = clock;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setPoolName("switchboard-pg-" + node);
        config.setMaximumPoolSize(10);
        config.setConnectionTimeout(10_000);
        this.pool = new HikariDataSource(config);
    }

    /**
     * Opens a store on {@code jdbcUrl} (e.g. {@code jdbc:postgresql://db:5432/switchboard?user=sb})
     * for the node named {@code node} (stable across restarts of that node: it names the node's
     * replication slot). Connects at once; call {@link #migrate} next.
     */
    public static PostgresStore open(String jdbcUrl, String node) {
        return open(jdbcUrl, node, CaptureSettings.defaults(), Clock.systemUTC());
    }

    static PostgresStore open(String jdbcUrl, String node, CaptureSettings settings, Clock clock) {
        return new PostgresStore(jdbcUrl, node, settings, clock);
    }

    @Override
    public Dialect dialect() {
        return PgDialect.INSTANCE;
    }

    @Override
    public synchronized void migrate(List<Dataset> datasets) {
        // our own history table, and baseline 0 so a database that already has the application's
        // tables (capture works for any writer) still gets every Switchboard migration
        Flyway.configure().dataSource(pool).locations("classpath:db/postgresql").table("sb_schema_history")
                .baselineOnMigrate(true).baselineVersion("0").load().migrate();
        Map<String, Dataset> byName = new LinkedHashMap<>();
        datasets.forEach(d -> byName.put(d.name(), d));
        try (Connection c = pool.getConnection()) {
            Publication.install(c, datasets);
            Epoch epoch = capture != null ? capture.epoch : EpochStore.load(c);
            if (capture == null || !capture.datasets.equals(byName)) {
                capture = Capture.start(capture, url, node, currentDatabase(c), pool, epoch, byName, settings, clock, this::stopCapture);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL migration failed: " + e.getMessage(), e);
        }
    }

    private static String currentDatabase(Connection c) throws SQLException {
        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT current_database()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Override
    public ChangeSource changes() {
        return requireCapture().source;
    }

    @Override
    public IngestResult ingest(Dataset dataset, String tenant, List<Map<String, Object>> rows) {
        return write((c) -> writer.upsert(c, dataset, tenant, rows));
    }

    @Override
    public IngestResult delete(Dataset dataset, String tenant, List<String> keys) {
        return write((c) -> writer.delete(c, dataset, tenant, keys));
    }

    private IngestResult write(Work work) {
        Capture cap = requireCapture();
        long headBefore = cap.window.head();
        PgWriter.Written written;
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                written = work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw translate(e);
        }
        return new IngestResult(written.count(), positionOf(cap, written.xid(), headBefore));
    }

    private static Position positionOf(Capture cap, OptionalLong xid, long headBefore) {
        long seq = xid.isEmpty() ? -1 : cap.window.awaitXid((int) xid.getAsLong(), headBefore, POSITION_WAIT_MILLIS);
        return new Position(cap.epoch.id(), seq >= 0 ? seq : cap.window.head());
    }

    /** Data and constraint errors are the request's fault (400); anything else is the database's. */
    private static RuntimeException translate(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("22") || state.startsWith("23")) {
            return new IngestException(400, -1, "", "the database refused the rows: " + e.getMessage());
        }
        return new IllegalStateException("PostgreSQL write failed: " + e.getMessage(), e);
    }

    @Override
    public int updateOwn(String sql, List<Object> params) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("update failed: " + e.getMessage(), e);
        }
    }

    @Override
    public <T> T read(SnapshotReader<T> reader) {
        Capture cap = requireCapture();
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try {
                return reader.read(PgSnapshot.begin(c, cap.epoch, cap.window));
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL snapshot failed: " + e.getMessage(), e);
        }
    }

    private synchronized Capture requireCapture() {
        if (capture == null) {
            throw new IllegalStateException("PostgresStore.migrate(datasets) must run first: it installs capture");
        }
        return capture;
    }

    private synchronized void stopCapture() {
        if (capture != null) {
            capture.loop.close();
        }
    }

    /** Stops capture and closes the pool. The slot stays: the node resumes from it when it opens again. */
    @Override
    public synchronized void close() {
        stopCapture();
        pool.close();
    }

    @FunctionalInterface
    private interface Work {
        PgWriter.Written run(Connection c) throws SQLException;
    }
}
