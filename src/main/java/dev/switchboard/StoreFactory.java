package dev.switchboard;

import dev.switchboard.change.ChangeSource;
import dev.switchboard.store.Store;
import dev.switchboard.store.postgres.PostgresStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** Opens the PostgreSQL store from the URL forms users write (see {@link DatabaseUrl}). */
final class StoreFactory {
    private StoreFactory() {}

    /** As {@link #postgres(String, String, int)} with the default pool size. */
    static Store postgres(String url, String node) {
        return postgres(url, node, PostgresStore.DEFAULT_POOL_SIZE);
    }

    /**
     * Opens the store at {@code url} (a libpq or JDBC URL). A malformed URL is an
     * {@link IllegalArgumentException}, a database that cannot be reached or refuses the login an
     * {@link IllegalStateException}; both carry one line naming the host, database and user and
     * what went wrong, never the password.
     */
    static Store postgres(String url, String node, int poolSize) {
        DatabaseUrl parsed = DatabaseUrl.parse(url);
        probe(parsed);
        try {
            return PostgresStore.open(parsed.jdbcUrl(), parsed.credentials(), node, poolSize);
        } catch (IllegalStateException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("node name")) {
                throw e;
            }
            throw new IllegalStateException("cannot open PostgreSQL at " + parsed.target() + ": " + rootCause(e), e);
        }
    }

    /**
     * As {@link #postgres(String, String, int)} for an edge node: the store captures nothing and
     * takes its changes from {@code changes} (given the database's epoch id).
     */
    static Store postgresEdge(String url, String node, int poolSize, java.util.function.Function<String, ChangeSource> changes) {
        DatabaseUrl parsed = DatabaseUrl.parse(url);
        probe(parsed);
        try {
            return PostgresStore.openEdge(parsed.jdbcUrl(), parsed.credentials(), node, poolSize, changes);
        } catch (IllegalStateException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("node name")) {
                throw e;
            }
            throw new IllegalStateException("cannot open PostgreSQL at " + parsed.target() + ": " + rootCause(e), e);
        }
    }

    /** One connection first, so an unreachable database is one clear line rather than the pool's stack trace. */
    private static void probe(DatabaseUrl url) {
        try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.credentials())) {
            c.isValid(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect to PostgreSQL at " + url.target() + ": " + rootCause(e));
        }
    }

    /** The innermost useful message, on one line. */
    static String rootCause(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause != e && !(message.contains(String.valueOf(cause.getMessage())))) {
            String inner = cause.getMessage() == null ? cause.getClass().getSimpleName()
                    : cause.getClass().getSimpleName() + ": " + cause.getMessage();
            message = message + " (" + inner + ")";
        }
        return message.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
