package dev.switchboard.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.change.ChangeFeed;
import dev.switchboard.change.Position;
import dev.switchboard.dataset.DatasetCatalog;
import dev.switchboard.store.sqlite.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gauge over time ({@code sample: <stat>, every, points}; seed 004's 20-point activity chart,
 * l.16 and l.170), in memory with a clock moved by hand: points at instants aligned to
 * {@code every}, the stat's value at each tick that reaches a new instant, the last N kept, and
 * published as deltas like any widget.
 */
class SampleWidgetTest {
    @TempDir
    Path dir;

    static final String DASHBOARD = """
            name: g
            widgets:
              active_calls: { stat: count, dataset: call_attempts, where: { status: { in: [dialing, ringing, in_progress] } } }
              activity: { sample: active_calls, every: 5s, points: 3 }
            """;

    private static DatasetCatalog catalog() throws Exception {
        return DatasetCatalog.of(DatasetCatalog.parse(Files.readString(Path.of("src/main/resources/packs/campaigns/datasets.yaml")), "campaigns"));
    }

    private static Map<String, Object> attempt(String id, String status) {
        return Map.of("id", id, "account_id", "a1", "campaign_id", "c1", "status", status, "started_at", "2026-11-23T11:59:00.000Z");
    }

    @Test
    void samplesTheStatAtAlignedInstants_keepsTheLastN_andPublishesThem() throws Exception {
        DatasetCatalog catalog = catalog();
        Definitions defs = Definitions.load(Map.of("g.yaml", DASHBOARD), catalog);
        MutableClock clock = new MutableClock(Instant.parse("2026-11-23T12:00:03Z"));
        Map<ViewKey, List<Map<String, Object>>> deltas = new ConcurrentHashMap<>();
        try (SqliteStore store = SqliteStore.open(dir.resolve("g.db"))) {
            store.migrate(List.copyOf(catalog.all()));
            var attempts = catalog.find("call_attempts").orElseThrow();
            store.ingest(attempts, "a1", List.of(attempt("x1", "dialing")));
            try (ChangeFeed feed = new ChangeFeed(store.changes(), store.changes().head())) {
                LiveEngine engine = new LiveEngine(defs, catalog, store, clock, feed,
                        (k, p, w) -> deltas.computeIfAbsent(k, x -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(w));
                feed.addListener(engine);
                feed.start();
                ViewKey key = ViewKey.of("g", "a1");
                // a new view starts with one point: the latest aligned instant, its bootstrap value
                assertThat(points(engine.state(key).widgets())).containsExactly(Map.of("t", "2026-11-23T12:00:00.000Z", "v", 1L));

                clock.advance(Duration.ofSeconds(1)); // 12:00:04, same instant: no new point
                engine.tick();
                assertThat(points(engine.state(key).widgets())).hasSize(1);

                Position at = store.ingest(attempts, "a1", List.of(attempt("x2", "ringing"))).position();
                feed.awaitPosition(at, Duration.ofSeconds(10));
                clock.advance(Duration.ofSeconds(2)); // 12:00:06 -> instant 12:00:05
                engine.tick();
                assertThat(points(engine.state(key).widgets())).containsExactly(
                        Map.of("t", "2026-11-23T12:00:00.000Z", "v", 1L), Map.of("t", "2026-11-23T12:00:05.000Z", "v", 2L));
                assertThat(deltas.get(key)).anySatisfy(w -> assertThat(w).containsKey("activity"));

                // instants the clock skipped get no point of their own: 12:00:10 and :15 pass unseen
                clock.advance(Duration.ofSeconds(15)); // 12:00:21 -> instant 12:00:20
                engine.tick();
                clock.advance(Duration.ofSeconds(5)); // 12:00:26 -> 12:00:25
                engine.tick();
                List<Map<?, ?>> last = points(engine.state(key).widgets());
                assertThat(last.stream().map(p -> String.valueOf(p.get("t"))).toList()).containsExactly(
                        "2026-11-23T12:00:05.000Z", "2026-11-23T12:00:20.000Z", "2026-11-23T12:00:25.000Z"); // the last 3

                // its "SQL" value is the live record: past values cannot be queried, the source is
                assertThat(Equality.sameValues(engine.state(key).widgets(), engine.sqlValues(key, clock.millis()))).isTrue();
                assertThat(engine.reconcile()).isZero();
            }
        }
    }

    @Test
    void aSampleNamesAStatOfItsDashboard_andAnInterval() throws Exception {
        DatasetCatalog catalog = catalog();
        for (String bad : List.of("{ sample: nothing, every: 5s }", "{ sample: per_minute, every: 5s }", "{ sample: active_calls, every: 5 }",
                "{ sample: active_calls, every: 0s }", "{ sample: active_calls, every: 5s, points: 0 }")) {
            String yaml = """
                    name: g
                    widgets:
                      active_calls: { stat: count, dataset: call_attempts }
                      per_minute: { series: count, bucket: 1m, dataset: call_attempts, window: 1h }
                      activity: %s
                    """.formatted(bad);
            assertThatThrownBy(() -> Definitions.load(Map.of("g.yaml", yaml), catalog)).as(bad).hasMessageContaining("activity");
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<?, ?>> points(Map<String, Object> widgets) {
        return new ArrayList<>((List<Map<?, ?>>) widgets.get("activity"));
    }
}
