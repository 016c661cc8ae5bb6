package dev.switchboard.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.change.ChangeFeed;
import dev.switchboard.dataset.DatasetCatalog;
import dev.switchboard.dataset.RowValidator;
import dev.switchboard.store.sqlite.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Regression: a view bootstrapped while the feed lagged behind the database counted the
 * changes its snapshot already held a second time when the feed delivered them after go-live.
 */
class LaggingFeedBootstrapTest {
    @TempDir
    Path dir;

    @Test
    void bootstrap_whileFeedLags_countsEachChangeOnce() throws Exception {
        DatasetCatalog catalog = DatasetCatalog.of(DatasetCatalog.parse(
                Files.readString(Path.of("src/main/resources/packs/calls/datasets.yaml")), "calls"));
        Definitions defs = Definitions.load(Map.of("calls.yaml", Files.readString(Path.of("src/main/resources/packs/calls/dashboards/calls.yaml"))), catalog);
        MutableClock clock = new MutableClock(Instant.parse("2026-11-23T12:00:00Z"));
        try (SqliteStore store = SqliteStore.open(dir.resolve("lag.db"))) {
            store.migrate(List.copyOf(catalog.all()));
            ChangeFeed feed = new ChangeFeed(store.changes(), store.changes().head());
            LiveEngine engine = new LiveEngine(defs, catalog, store, clock, feed, (k, p, w) -> { });
            feed.addListener(engine);
            List<JsonNode> rows = new ArrayList<>();
            JsonMapper json = JsonMapper.builder().build();
            for (int i = 0; i < 5; i++) {
                rows.add(json.readTree("{\"id\":\"c" + i + "\",\"status\":\"active\",\"started_at\":\"2026-11-23T11:00:00Z\"}"));
            }
            var ds = catalog.find("call_logs").orElseThrow();
            store.ingest(ds, "t1", RowValidator.validate(ds, "t1", rows).rows());
            ViewKey key = defs.key(defs.find("calls").orElseThrow(), "t1", "", "", Map.of());
            // The feed has not delivered the five creates yet; the view's snapshot holds them.
            CompletableFuture<LiveEngine.State> opened = CompletableFuture.supplyAsync(() -> engine.state(key));
            // Gate: the view is live (bootstrapped, waiting for the feed) before the feed starts.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> engine.viewCount() == 1);
            feed.start();
            LiveEngine.State state = opened.get(20, TimeUnit.SECONDS);
            assertThat(feed.awaitPosition(store.changes().head(), Duration.ofSeconds(10))).isTrue();
            assertThat(engine.state(key).widgets().get("active_calls")).isEqualTo(5L);
            assertThat(Equality.sameValues(engine.state(key).widgets(), engine.sqlValues(key, clock.millis()))).isTrue();
            assertThat(state.position()).isEqualTo(store.changes().head());
            feed.close();
        }
    }
}
