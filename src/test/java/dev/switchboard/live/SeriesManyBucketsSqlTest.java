package dev.switchboard.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.change.ChangeFeed;
import dev.switchboard.dataset.DatasetCatalog;
import dev.switchboard.store.sqlite.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: the SQL of a series with more than 500 buckets (15m buckets over the allowed 168h)
 * failed on SQLite with "too many terms in compound SELECT", so reconcile could not check it.
 */
class SeriesManyBucketsSqlTest {
    @TempDir
    Path dir;

    @Test
    void seriesOfMoreThan500BucketsComputesInSql() throws Exception {
        var catalog = DatasetCatalog.of(DatasetCatalog.parse(
                Files.readString(Path.of("src/main/resources/packs/calls/datasets.yaml")), "calls"));
        var defs = Definitions.load(Map.of("s.yaml", """
                name: s
                widgets:
                  per_15m: { series: count, bucket: 15m, dataset: call_logs, window: 168h }
                """), catalog);
        MutableClock clock = new MutableClock(Instant.parse("2026-11-23T12:00:00Z"));
        try (SqliteStore store = SqliteStore.open(dir.resolve("s.db"))) {
            store.migrate(List.copyOf(catalog.all()));
            store.ingest(catalog.find("call_logs").orElseThrow(), "u1", List.of(Map.of("id", "c1", "user_id", "u1",
                    "status", "ended", "started_at", "2026-11-23T11:50:00.000Z")));
            try (ChangeFeed feed = new ChangeFeed(store.changes(), store.changes().head())) {
                LiveEngine engine = new LiveEngine(defs, catalog, store, clock, feed, (k, p, w) -> { });
                feed.addListener(engine);
                feed.start();
                ViewKey key = ViewKey.of("s", "u1");
                List<?> sql = (List<?>) engine.sqlValues(key, clock.millis()).get("per_15m");
                assertThat(sql).hasSize(673);
                assertThat(((Map<?, ?>) sql.get(671)).get("v")).isEqualTo(1L); // 11:45-12:00
                assertThat(Equality.sameValues(engine.state(key).widgets(), engine.sqlValues(key, clock.millis()))).isTrue();
            }
        }
    }
}
