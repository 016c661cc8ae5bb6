package dev.switchboard.pg;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh database on the machine's PostgreSQL (configured by {@code .ci/setup-postgres.sh}) for
 * one end-to-end test, dropped afterwards together with every replication slot on it. When the
 * server is unreachable the test fails if {@code CI} is set and is skipped otherwise.
 *
 * <p>{@code SWITCHBOARD_PG_URL} overrides the admin URL (default: local switchboard_test as postgres).
 */
public final class PgDatabase implements AutoCloseable {
    static final String ADMIN_URL = System.getenv().getOrDefault("SWITCHBOARD_PG_URL",
            "jdbc:postgresql://127.0.0.1:5432/switchboard_test?user=postgres");

    /** The database name. */
    public final String name;
    /** Its JDBC URL ({@code jdbc:postgresql://...}), also what {@code serve --database} accepts. */
    public final String url;

    private PgDatabase(String name) {
        this.name = name;
        this.url = ADMIN_URL.replaceFirst("/[^/?]+(\\?|$)", "/" + name + "$1");
    }

    /** Creates {@code sbe_<prefix>_<random>}; skips (or fails under CI) when PostgreSQL is unreachable. */
    public static PgDatabase create(String prefix) {
        String name = ("sbe_" + prefix + "_" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
        try (Connection c = admin()) {
            c.createStatement().execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            String message = "PostgreSQL is not reachable at " + ADMIN_URL + " (run .ci/setup-postgres.sh): " + e.getMessage();
            if (System.getenv("CI") != null) {
                fail(message, e);
            }
            Assumptions.abort(message);
        }
        return new PgDatabase(name);
    }

    static Connection admin() throws SQLException {
        return DriverManager.getConnection(ADMIN_URL);
    }

    /** The URL in libpq form, for {@code psql}. */
    public String libpqUrl() {
        return url.replaceFirst("^jdbc:", "");
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url);
    }

    /** Runs one autocommit statement in this database. */
    public void exec(String sql) {
        try (Connection c = connect()) {
            c.createStatement().execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** The first column of the first row of {@code sql}, as a long. */
    public long queryLong(String sql) {
        try (Connection c = connect(); var rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /**
     * Restarts the machine's cluster with {@code pg_ctlcluster} (a fast shutdown, then start) and
     * waits until it accepts connections. Skips (fails under CI) when there is no Debian cluster.
     */
    public static long restartCluster() throws Exception {
        String[] versions = new File("/etc/postgresql").list();
        if (versions == null || versions.length == 0) {
            String message = "no /etc/postgresql cluster to restart";
            if (System.getenv("CI") != null) {
                fail(message);
            }
            Assumptions.abort(message);
        }
        long started = System.nanoTime();
        Process p = new ProcessBuilder("bash", "-c",
                "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | sort -V | tail -n1) main restart")
                .redirectErrorStream(true).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("pg_ctlcluster restart did not finish in 90 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            fail("pg_ctlcluster restart failed: " + out);
        }
        awaitServer(Duration.ofSeconds(90));
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }

    static void awaitServer(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Connection c = admin()) {
                if (c.isValid(2)) {
                    return;
                }
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("PostgreSQL did not come back within " + timeout, e);
                }
            }
            Thread.sleep(200);
        }
    }

    /** Drops the database's replication slots (ending their walsenders first), then the database. */
    @Override
    public void close() throws Exception {
        awaitServer(Duration.ofSeconds(60));
        try (Connection c = admin(); var st = c.createStatement()) {
            for (int attempt = 0; attempt < 100; attempt++) {
                st.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = '" + name + "' AND active");
                try {
                    st.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '" + name + "'");
                    break;
                } catch (SQLException stillActive) {
                    Thread.sleep(100);
                }
            }
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }
}
