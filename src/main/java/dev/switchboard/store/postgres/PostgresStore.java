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
    private CaptureLease lease;
    /** On an edge node: makes the change source (from the database's epoch id) that replaces capture; null otherwise. */
    private final java.util.function.Function<String, ChangeSource> external;
    /** On an edge node, once migrated: the epoch and the source made from it. */
    private Edge edge;

    /** An edge node's changes: read from elsewhere (a broker), numbered in this database's epoch. */
    private record Edge(Epoch epoch, ChangeSource source) {}

    private PostgresStore(String url, Properties credentials, String node, int poolSize, CaptureSettings settings, Clock clock,
                          java.util.function.Function<String, ChangeSource> external) {
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
        this.external = external;
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

    /**
     * From now on capture keeps every change after {@code acknowledged.get()} in memory, and the
     * replication slot the WAL behind it, however old, until a broker acknowledges it; past four
     * times the usual window it stops decoding (the slot keeps the WAL) until the broker catches
     * up. A position of another epoch holds everything. For a capture node that publishes to a
     * broker: a change leaves PostgreSQL's keeping only once the broker has it.
     */
    public synchronized void holdUnacknowledged(java.util.function.Supplier<Position> acknowledged) {
        Capture cap = requireCapture();
        String epochId = cap.epoch.id();
        cap.window.holdUnacknowledged(() -> {
            Position p = acknowledged.get();
            return p.epoch().equals(epochId) ? p.seq() : -1;
        });
    }

    /**
     * Takes the capture lease of this database when it is free, or confirms this store still
     * holds it: a session advisory lock on a connection of its own, released when this store
     * closes or its process dies. Exactly one capture node holds it and publishes to the broker;
     * the others stand by. False while another node holds it or the server cannot be reached.
     */
    public boolean leadCapture() {
        CaptureLease l;
        synchronized (this) {
            if (lease == null) {
                lease = new CaptureLease(url, credentials, node);
            }
            l = lease;
        }
        return l.hold();
    }

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
        return new PostgresStore(jdbcUrl, credentials, node, poolSize, CaptureSettings.defaults(), Clock.systemUTC(), null);
    }

    /**
     * As {@link #open(String, Properties, String, int)} for an edge node, which captures nothing:
     * {@link #migrate} applies the migrations, reads the database's epoch and makes the change
     * source with {@code changes} (given the epoch id), e.g. a broker's stream that a capture node
     * publishes to. Snapshots decide {@code includes} from the changes alone, so views bootstrap
     * exactly; a write answers with its commit's position once that source has delivered it.
     */
    public static PostgresStore openEdge(String jdbcUrl, Properties credentials, String node, int poolSize,
                                         java.util.function.Function<String, ChangeSource> changes) {
        return new PostgresStore(jdbcUrl, credentials, node, poolSize, CaptureSettings.defaults(), Clock.systemUTC(), changes);
    }

    static PostgresStore open(String jdbcUrl, String node, CaptureSettings settings, Clock clock) {
        return new PostgresStore(jdbcUrl, new Properties(), node, DEFAULT_POOL_SIZE, settings, clock, null);
    }

    @Override
    public Dialect dialect() {
        return PgDialect.INSTANCE;
    }

    @Override
    public synchronized void migrate(List<Dataset> datasets) {
        applyMigrations();
        Map<String, Dataset> byName = new LinkedHashMap<>();
        datasets.forEach(d -> byName.put(d.name(), d));
        if (external != null) {
            if (edge == null) {
                try (Connection c = pool.getConnection()) {
                    Epoch epoch = EpochStore.load(c);
                    edge = new Edge(epoch, external.apply(epoch.id()));
                } catch (SQLException e) {
                    throw new IllegalStateException("PostgreSQL migration failed: " + e.getMessage(), e);
                }
            }
            return; // the capture node publishes the tables and decodes them
        }
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

    /**
     * Applies Switchboard's migrations, one node at a time: nodes that start together on a new
     * database would otherwise race, and the second would find the history table the first had
     * just made still empty, which Flyway's baseline refuses. Serialised by a session advisory
     * lock on a connection of its own (not the pool's, which may be small); closing it on return,
     * or on a failure, releases the lock.
     */
    private void applyMigrations() {
        try (Connection lock = OwnConnection.open(url, credentials, "switchboard migration " + node);
             var st = lock.createStatement()) {
            st.execute("SELECT pg_advisory_lock(hashtext('switchboard.migrate'))");
            // our own history table, and baseline 0 so a database that already has the application's
            // tables (capture works for any writer) still gets every Switchboard migration
            Flyway.configure().dataSource(pool).locations("classpath:db/postgresql").table("sb_schema_history")
                    .baselineOnMigrate(true).baselineVersion("0").load().migrate();
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
        Edge e = edge();
        return e != null ? e.source() : requireCapture().source;
    }

    private synchronized Edge edge() {
        if (external != null && edge == null) {
            throw new IllegalStateException("PostgresStore.migrate(datasets) must run first: it reads the epoch");
        }
        return edge;
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
        Edge fed = edge();
        Capture cap = fed == null ? requireCapture() : null;
        Position before = fed != null ? fed.source().head() : null;
        long headBefore = cap != null ? cap.window.head() : 0;
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
        if (fed != null) {
            ChangeSource source = fed.source();
            Position at = written.xid().isEmpty() ? source.head()
                    : source.awaitTransaction(written.xid().getAsLong(), before, java.time.Duration.ofMillis(POSITION_WAIT_MILLIS))
                            .orElseGet(source::head);
            return new IngestResult(written.count(), at);
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
        Edge fed = edge();
        Capture cap = fed == null ? requireCapture() : null;
        Epoch epoch = fed != null ? fed.epoch() : cap.epoch;
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try {
                long head = fed != null ? fed.source().head().seq() : cap.window.head();
                return reader.read(PgSnapshot.begin(c, epoch, head));
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
        if (lease != null) {
            lease.close();
        }
        if (edge != null) {
            edge.source().close();
        }
        stopCapture();
        pool.close();
        nodeLock.close();
    }

    @FunctionalInterface
    private interface Work {
        PgWriter.Written run(Connection c) throws SQLException;
    }
}
