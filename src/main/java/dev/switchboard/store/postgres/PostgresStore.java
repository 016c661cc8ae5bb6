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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
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
    /** How long a start waits for a killed node of the same name to release it. */
    private static final long NODE_LOCK_WAIT_MILLIS = 5_000;
    /** The connection pool size when none is given. */
    public static final int DEFAULT_POOL_SIZE = 10;

    private final String url;
    private final Properties credentials;
    private final String node;
    private final CaptureSettings settings;
    private final Clock clock;
    private final HikariDataSource pool;
    private final NodeLock nodeLock;
    private final PgWriter writer = new PgWriter();
    private Capture capture;
    private volatile String slot = "";

    private PostgresStore(String url, Properties credentials, String node, int poolSize, CaptureSettings settings, Clock clock) {
        if (node.isBlank()) {
            throw new IllegalArgumentException("node name must not be blank; each node sharing a database needs its own");
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("PostgreSQL pool size must be at least 1, was " + poolSize);
        }
        this.url = url;
        this.credentials = new Properties();
        this.credentials.putAll(credentials);
        this.node = node;
        this.settings = settings;
        this.clock = clock;
        try {
            this.nodeLock = NodeLock.acquire(url, this.credentials, node, NODE_LOCK_WAIT_MILLIS);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect to PostgreSQL: " + e.getMessage(), e);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setDataSourceProperties(this.credentials);
        config.setPoolName("switchboard-pg-" + node);
        config.setMaximumPoolSize(poolSize);
        config.setConnectionTimeout(10_000);
        try {
            this.pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            nodeLock.close();
            throw e;
        }
    }

    /**
     * How far capture is behind the server's WAL: bytes between the server's current WAL position
     * and what this node's live stream confirmed, and the stream's flush lag in seconds as the
     * server measures it (0 when caught up). Empty while not streaming or unreachable.
     */
    public Optional<Lag> captureLag() {
        if (slot.isEmpty()) {
            return Optional.empty();
        }
        String sql = "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), s.confirmed_flush_lsn)::bigint, "
                + "coalesce(extract(epoch FROM r.flush_lag), 0)::float8 "
                + "FROM pg_replication_slots s LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid "
                + "WHERE s.temporary AND s.active AND s.slot_name LIKE ? ORDER BY 1 LIMIT 1";
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, slot.replace("_", "\\_") + "\\_%");
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Lag(Math.max(0, rs.getLong(1)), rs.getDouble(2))) : Optional.empty();
            }
        } catch (SQLException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Capture lag.
     *
     * @param bytes WAL bytes not yet confirmed by this node's stream
     * @param seconds the stream's flush lag as the server measures it
     */
    public record Lag(long bytes, double seconds) {}

    /** The connection pool, for metrics (e.g. Micrometer's HikariCP binder); do not close it. */
    public javax.sql.DataSource pool() {
        return pool;
    }

    /**
     * Opens a store on {@code jdbcUrl} (e.g. {@code jdbc:postgresql://db:5432/switchboard?user=sb})
     * for the node named {@code node} (stable across restarts of that node: it names the node's
     * replication slot). Connects at once, and refuses to open while another process holds the
     * same node name on this database; call {@link #migrate} next.
     */
    public static PostgresStore open(String jdbcUrl, String node) {
        return open(jdbcUrl, new Properties(), node, DEFAULT_POOL_SIZE);
    }

    /**
     * As {@link #open(String, String)} with a pool of {@code poolSize} connections and further
     * connection properties (e.g. {@code password}, kept out of the URL, which drivers and tools
     * may log) for every connection the store opens.
     */
    public static PostgresStore open(String jdbcUrl, Properties credentials, String node, int poolSize) {
        return new PostgresStore(jdbcUrl, credentials, node, poolSize, CaptureSettings.defaults(), Clock.systemUTC());
    }

    static PostgresStore open(String jdbcUrl, String node, CaptureSettings settings, Clock clock) {
        return new PostgresStore(jdbcUrl, new Properties(), node, DEFAULT_POOL_SIZE, settings, clock);
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
            slot = SlotKeeper.slotName(node, currentDatabase(c));
            if (capture == null || !capture.datasets.equals(byName)) {
                capture = Capture.start(capture, url, credentials, node, currentDatabase(c), pool, epoch, byName, settings, clock, this::stopCapture);
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
                return reader.read(PgSnapshot.begin(c, cap.epoch, cap.window.head()));
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
        nodeLock.close();
    }

    @FunctionalInterface
    private interface Work {
        PgWriter.Written run(Connection c) throws SQLException;
    }
}
