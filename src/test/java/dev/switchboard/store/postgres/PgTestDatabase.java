package dev.switchboard.store.postgres;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh database per test class on the machine's PostgreSQL (see {@code .ci/setup-postgres.sh}),
 * dropped afterwards with its replication slots and publication. When the server is unreachable
 * the tests fail if the {@code CI} environment variable is set, and are skipped otherwise.
 *
 * <p>{@code SWITCHBOARD_PG_URL} overrides the admin URL (default: local switchboard_test as postgres).
 */
public final class PgTestDatabase implements AutoCloseable {
    static final String ADMIN_URL = System.getenv().getOrDefault("SWITCHBOARD_PG_URL",
            "jdbc:postgresql://127.0.0.1:5432/switchboard_test?user=postgres");

    public final String name;
    /** The JDBC URL of the fresh database. */
    public final String url;

    private PgTestDatabase(String name) {
        this.name = name;
        this.url = ADMIN_URL.replaceFirst("/[^/?]+(\\?|$)", "/" + name + "$1");
    }

    public static PgTestDatabase create(String prefix) {
        String name = ("sbt_" + prefix + "_" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
        try (Connection c = admin()) {
            c.createStatement().execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            unreachable(e);
        }
        return new PgTestDatabase(name);
    }

    static Connection admin() throws SQLException {
        return DriverManager.getConnection(ADMIN_URL);
    }

    private static void unreachable(SQLException e) {
        String message = "PostgreSQL is not reachable at " + ADMIN_URL + " (run .ci/setup-postgres.sh): " + e.getMessage();
        if (System.getenv("CI") != null) {
            fail(message, e);
        }
        Assumptions.abort(message);
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url);
    }

    /** Runs SQL in this database over JDBC, in one autocommit statement. */
    void exec(String sql) {
        try (Connection c = connect()) {
            c.createStatement().execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Drops the database's slots (ending their walsenders first), then the database and its publication. */
    @Override
    public void close() throws SQLException {
        try (Connection c = admin(); var st = c.createStatement()) {
            st.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = '" + name + "' AND active");
            for (int attempt = 0; attempt < 50; attempt++) {
                try {
                    st.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '" + name + "'");
                    break;
                } catch (SQLException stillActive) {
                    st.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = '" + name + "' AND active");
                    org.awaitility.Awaitility.await().pollDelay(java.time.Duration.ofMillis(100)).until(() -> true);
                }
            }
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }
}
