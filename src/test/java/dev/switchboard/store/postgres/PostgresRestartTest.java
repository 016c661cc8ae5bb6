package dev.switchboard.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.change.Change;
import dev.switchboard.change.Position;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Restarts the machine's PostgreSQL under a running capture stream and a running writer. Needs
 * {@code pg_ctlcluster} and the right to use it (CI runs as root); skipped otherwise unless CI is set.
 */
@Tag("slow")
class PostgresRestartTest extends PgStoreTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Override
    String prefix() {
        return "restart";
    }

    @Override
    void beforeDrop() {
        awaitServer();
    }

    @Test
    void capture_postgresRestartMidStream_nothingLostOrDoubled() throws Exception {
        Position from = store.changes().head();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger written = new AtomicInteger();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> write(stop, written));

        await().atMost(WAIT).until(() -> written.get() >= 200);
        long restartStarted = System.nanoTime();
        restartPostgres();
        long restartMillis = (System.nanoTime() - restartStarted) / 1_000_000;
        int afterRestart = written.get();
        await().atMost(WAIT).until(() -> written.get() >= afterRestart + 200);
        stop.set(true);
        writer.get(1, TimeUnit.MINUTES);
        db.exec("INSERT INTO events (id, tenant, at, n) VALUES ('sentinel', 't1', now(), 0)");

        List<Change> changes = drainUntil(from, "sentinel");
        List<Long> seen = changes.stream().filter(c -> c.key().startsWith("rs-")).map(c -> (Long) c.after().raw("n")).toList();
        assertThat(seen).as("one writer: commit order is n order, each once").isSorted().doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen)).isEqualTo(committedNumbers());
        assertThat(changes).extracting(c -> c.position().seq()).isSorted().doesNotHaveDuplicates();
        System.out.printf("restart test: %d rows captured across a PostgreSQL restart that took %d ms%n", seen.size(), restartMillis);
        // a walsender whose client holds back confirmation delays shutdown until wal_sender_timeout (60 s)
        assertThat(restartMillis).as("restart not held up by the capture stream").isLessThan(30_000);
    }

    /** Inserts rs-1, rs-2, ... one per transaction; on a broken connection reconnects and retries the same key. */
    private void write(AtomicBoolean stop, AtomicInteger written) {
        long n = 1;
        Connection c = null;
        while (!stop.get()) {
            try {
                if (c == null) {
                    c = db.connect();
                }
                try (var ps = c.prepareStatement("INSERT INTO events (id, tenant, at, n) VALUES (?, 't1', now(), ?) ON CONFLICT (tenant, id) DO NOTHING")) {
                    ps.setString(1, "rs-" + n);
                    ps.setLong(2, n);
                    ps.executeUpdate();
                }
                n++;
                written.incrementAndGet();
            } catch (SQLException e) {
                // the server went away; the insert may or may not have committed: ON CONFLICT makes the retry safe
                close(c);
                c = null;
                await().pollDelay(Duration.ofMillis(50)).atMost(Duration.ofSeconds(1)).until(() -> true);
            }
        }
        close(c);
    }

    private static void close(Connection c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (SQLException ignored) {
            // already broken
        }
    }

    private Set<Long> committedNumbers() throws SQLException {
        Set<Long> out = new HashSet<>();
        try (var c = db.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT n FROM events WHERE id LIKE 'rs-%'")) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    private List<Change> drainUntil(Position from, String key) {
        List<Change> out = new ArrayList<>();
        Position[] at = {from};
        await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() -> {
            for (List<Change> b = store.changes().read(at[0], 10_000); !b.isEmpty(); b = store.changes().read(at[0], 10_000)) {
                out.addAll(b);
                at[0] = b.getLast().position();
            }
            return !out.isEmpty() && out.getLast().key().equals(key);
        });
        return out;
    }

    private static void restartPostgres() throws Exception {
        String[] versions = new File("/etc/postgresql").list();
        if (versions == null || versions.length == 0) {
            org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("CI") == null, "no /etc/postgresql cluster to restart");
            org.junit.jupiter.api.Assertions.fail("no /etc/postgresql cluster to restart");
        }
        String version = Arrays.stream(versions).sorted().reduce((a, b) -> b).orElseThrow();
        Process p = new ProcessBuilder("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart")
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("pg_ctlcluster restart finished").isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        awaitServer();
    }

    private static void awaitServer() {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            try (Connection c = PgTestDatabase.admin()) {
                return c.isValid(2);
            }
        });
    }
}
