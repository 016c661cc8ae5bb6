package dev.switchboard.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.change.Change;
import dev.switchboard.change.Position;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.dataset.DatasetCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, finding 2: readers that hold every pooled connection (bootstraps, backfills of
 * resuming clients, ingest checks) cannot stop capture: the feed reads the change log on a
 * connection of its own.
 */
class CaptureConnectionTest {
    @TempDir
    Path dir;

    @Test
    void capture_readsTheChangeLog_whileEveryPooledConnectionIsHeld() throws Exception {
        Dataset calls = DatasetCatalog.parse(Files.readString(Path.of("src/main/resources/packs/calls/datasets.yaml")), "calls").get(0);
        try (SqliteStore store = SqliteStore.open(dir.resolve("c.db"))) {
            store.migrate(List.of(calls));
            Position start = store.changes().head();
            CountDownLatch holding = new CountDownLatch(4);
            CountDownLatch release = new CountDownLatch(1);
            List<CompletableFuture<Void>> readers = new ArrayList<>();
            for (int i = 0; i < 4; i++) { // the pool's size
                readers.add(CompletableFuture.runAsync(() -> store.read(s -> {
                    holding.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return null;
                }), java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()));
            }
            try {
                assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
                try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("c.db"));
                     var st = other.createStatement()) {
                    st.execute("PRAGMA busy_timeout = 10000");
                    st.execute("INSERT INTO call_logs (id, user_id, status, started_at) VALUES ('k1', 'u1', 'active', '2026-11-23T10:00:00.000Z')");
                }
                // a pooled read would wait for a connection (30 s) here
                List<Change> read = CompletableFuture.supplyAsync(() -> store.changes().read(start, 10)).get(5, TimeUnit.SECONDS);
                assertThat(read).extracting(Change::key).containsExactly("k1");
            } finally {
                release.countDown();
            }
            CompletableFuture.allOf(readers.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        }
    }
}
