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
 * Regression: {@code not: {outcome: completed}} counted a row with a NULL outcome live, but its
 * SQL ({@code NOT (outcome = ?)}, unknown for NULL) did not, so live and SQL disagreed.
 */
class NotFilterNullTest {
    @TempDir
    Path dir;

    @Test
    void notMatchesRowsWhereTheInnerFilterIsUnknown() throws Exception {
        var catalog = DatasetCatalog.of(DatasetCatalog.parse(
                Files.readString(Path.of("src/main/resources/packs/calls/datasets.yaml")), "calls"));
        var defs = Definitions.load(Map.of("n.yaml", """
                name: n
                widgets:
                  not_completed: { stat: count, dataset: call_logs, where: { not: { outcome: completed } } }
                  not_in:        { stat: count, dataset: call_logs, where: { not: { outcome: { in: [completed, failed] } } } }
                  ne_completed:  { stat: count, dataset: call_logs, where: { outcome: { ne: completed } } }
                """), catalog);
        MutableClock clock = new MutableClock(Instant.parse("2026-11-23T12:00:00Z"));
        try (SqliteStore store = SqliteStore.open(dir.resolve("n.db"))) {
            store.migrate(List.copyOf(catalog.all()));
            var calls = catalog.find("call_logs").orElseThrow();
            store.ingest(calls, "u1", List.of(
                    Map.of("id", "c1", "user_id", "u1", "status", "ended", "started_at", "2026-11-23T11:00:00.000Z"),
                    Map.of("id", "c2", "user_id", "u1", "status", "ended", "started_at", "2026-11-23T11:00:00.000Z", "outcome", "completed"),
                    Map.of("id", "c3", "user_id", "u1", "status", "ended", "started_at", "2026-11-23T11:00:00.000Z", "outcome", "busy")));
            try (ChangeFeed feed = new ChangeFeed(store.changes(), store.changes().head())) {
                LiveEngine engine = new LiveEngine(defs, catalog, store, clock, feed, (k, p, w) -> { });
                feed.addListener(engine);
                feed.start();
                ViewKey key = ViewKey.of("n", "u1");
                Map<String, Object> sql = engine.sqlValues(key, clock.millis());
                assertThat(sql).containsEntry("not_completed", 2L).containsEntry("not_in", 2L).containsEntry("ne_completed", 1L);
                assertThat(engine.state(key).widgets()).isEqualTo(sql);
            }
        }
    }
}
