package dev.switchboard.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.change.ChangeFeed;
import dev.switchboard.change.Position;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.dataset.DatasetCatalog;
import dev.switchboard.store.sqlite.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dashboard's range ({@code range:} with {@code window: "${range}"}) and the previous period of
 * its stats, in memory with a clock moved by hand: trailing and calendar presets whose previous
 * period moves forward with them, a custom range whose bounds never move (late rows inside it
 * still count, rows after it never do), and the validation of what a viewer may ask for.
 */
class RangeTest {
    @TempDir
    Path dir;

    static final String DASHBOARD = """
            name: r
            zone: UTC
            range:
              default: 24h
              presets: [1h, 24h, 7d, today]
              longest: 31d
            widgets:
              calls:     { stat: count, dataset: call_logs, window: "${range}" }
              duration:  { stat: sum, field: duration, dataset: call_logs, window: "${range}" }
              fixed_day: { stat: count, dataset: call_logs, window: 24h, compare: false }
              active:    { stat: count, dataset: call_logs, where: { status: active } }
              per_hour:  { series: count, bucket: 1h, dataset: call_logs, window: "${range}" }
            """;

    private static DatasetCatalog catalog() throws Exception {
        return DatasetCatalog.of(DatasetCatalog.parse(Files.readString(Path.of("src/main/resources/packs/calls/datasets.yaml")), "calls"));
    }

    private static Map<String, Object> call(String id, String at, long duration) {
        return Map.of("id", id, "user_id", "u1", "status", "ended", "started_at", dev.switchboard.change.Times.format(Instant.parse(at)), "duration", duration);
    }

    /** One engine over one store, with a clock at 2026-11-23T12:00Z. */
    private final class Rig implements AutoCloseable {
        final DatasetCatalog catalog = catalog();
        final Definitions defs = Definitions.load(Map.of("r.yaml", DASHBOARD), catalog);
        final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T12:00:00Z"));
        final Map<ViewKey, Map<String, Object>> published = new ConcurrentHashMap<>();
        final SqliteStore store = SqliteStore.open(dir.resolve("r.db"));
        final Dataset calls;
        final ChangeFeed feed;
        final LiveEngine engine;

        Rig() throws Exception {
            store.migrate(List.copyOf(catalog.all()));
            calls = catalog.find("call_logs").orElseThrow();
            feed = new ChangeFeed(store.changes(), store.changes().head());
            engine = new LiveEngine(defs, catalog, store, clock, feed,
                    (k, p, w) -> published.computeIfAbsent(k, x -> new ConcurrentHashMap<>()).putAll(w));
            feed.addListener(engine);
            feed.start();
        }

        ViewKey key(Map<String, String> query) {
            return defs.key(defs.find("r").orElseThrow(), "u1", "", "", query);
        }

        @SafeVarargs
        final void write(Map<String, Object>... rows) throws InterruptedException {
            Position at = store.ingest(calls, "u1", List.of(rows)).position();
            feed.awaitPosition(at, Duration.ofSeconds(10));
        }

        Map<String, Object> widgets(ViewKey k) {
            return engine.state(k).widgets();
        }

        void assertLiveEqualsSql(ViewKey k) {
            assertThat(Equality.sameValues(widgets(k), engine.sqlValues(k, clock.millis()))).as("live = SQL for %s", k.topic()).isTrue();
        }

        @Override
        public void close() throws Exception {
            feed.close();
            store.close();
        }
    }

    @Test
    void trailingRange_carriesThePreviousPeriod_andBothMoveForwardWithTime() throws Exception {
        try (Rig rig = new Rig()) {
            rig.write(call("a", "2026-11-23T11:00:00Z", 10),   // in the last 24 h
                    call("b", "2026-11-22T13:00:00Z", 20),       // in the last 24 h, 1 h from its start
                    call("c", "2026-11-22T11:00:00Z", 40),       // previous 24 h
                    call("d", "2026-11-21T12:30:00Z", 80),       // previous 24 h, 30 min from its start
                    call("e", "2026-11-21T11:00:00Z", 160));     // older than both
            ViewKey k = rig.key(Map.of());
            assertThat(k.params()).containsEntry("range", "24h");
            Map<String, Object> w = rig.widgets(k);
            assertThat(w).containsEntry("calls", 2L).containsEntry("calls.previous", 2L)
                    .containsEntry("duration", 30L).containsEntry("duration.previous", 120L);
            assertThat(w).doesNotContainKeys("fixed_day.previous", "active.previous");
            assertThat(w).containsKey("fixed_day");

            // 45 minutes on: d leaves the previous period, b moves from this period into it
            rig.clock.advance(Duration.ofMinutes(45));
            rig.engine.tick();
            assertThat(rig.widgets(k)).containsEntry("calls", 2L).containsEntry("calls.previous", 1L).containsEntry("duration.previous", 40L);
            rig.clock.advance(Duration.ofMinutes(30)); // 13:15: b is 24 h 15 min old
            rig.engine.tick();
            assertThat(rig.widgets(k)).containsEntry("calls", 1L).containsEntry("duration", 10L)
                    .containsEntry("calls.previous", 2L).containsEntry("duration.previous", 60L);
            assertThat(rig.published.get(k)).containsEntry("calls.previous", 2L); // delivered in the deltas too

            // a late row of the previous period counts there
            rig.write(call("late", "2026-11-22T01:00:00Z", 5));
            assertThat(rig.widgets(k)).containsEntry("calls.previous", 3L).containsEntry("duration.previous", 65L);
            rig.assertLiveEqualsSql(k);
        }
    }

    @Test
    void today_isComparedWithYesterday_andMidnightMovesBoth() throws Exception {
        try (Rig rig = new Rig()) {
            rig.write(call("t1", "2026-11-23T01:00:00Z", 1), call("t2", "2026-11-23T20:00:00Z", 2),
                    call("y1", "2026-11-22T00:00:00Z", 4), call("y2", "2026-11-22T23:59:59.999Z", 8), call("old", "2026-11-21T23:00:00Z", 16));
            ViewKey k = rig.key(Map.of("range", "today"));
            assertThat(rig.widgets(k)).containsEntry("calls", 2L).containsEntry("duration.previous", 12L);
            rig.clock.set(Instant.parse("2026-11-24T00:00:00.001Z"));
            rig.engine.tick();
            assertThat(rig.widgets(k)).containsEntry("calls", 0L).containsEntry("calls.previous", 2L).containsEntry("duration.previous", 3L);
            rig.assertLiveEqualsSql(k);
        }
    }

    @Test
    void customRange_neverMoves_lateRowsInsideCount_andItsPreviousIsTheEqualPeriodBefore() throws Exception {
        try (Rig rig = new Rig()) {
            rig.write(call("in1", "2026-11-10T00:00:00Z", 1), call("in2", "2026-11-10T23:59:59.999Z", 2),
                    call("after", "2026-11-11T00:00:00Z", 4), call("prev", "2026-11-09T00:00:00Z", 8), call("before", "2026-11-08T23:59:59Z", 16));
            ViewKey k = rig.key(Map.of("from", "2026-11-10T00:00:00Z", "to", "2026-11-11T00:00:00Z"));
            assertThat(k.params()).containsEntry("range", "2026-11-10T00:00:00Z..2026-11-11T00:00:00Z");
            assertThat(rig.key(Map.of("range", "2026-11-10T00:00:00Z..2026-11-11T00:00:00Z"))).isEqualTo(k);
            assertThat(rig.widgets(k)).containsEntry("calls", 2L).containsEntry("duration", 3L)
                    .containsEntry("calls.previous", 1L).containsEntry("duration.previous", 8L);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> series = (List<Map<String, Object>>) rig.widgets(k).get("per_hour");
            assertThat(series).hasSize(24);
            assertThat(series.get(0)).containsEntry("t", "2026-11-10T00:00:00.000Z").containsEntry("v", 1L);

            // a week passes: nothing expires, nothing enters
            rig.clock.advance(Duration.ofDays(7));
            rig.engine.tick();
            assertThat(rig.widgets(k)).containsEntry("calls", 2L).containsEntry("calls.previous", 1L);

            // late changes inside it update it exactly; a row written after it, or moved out of it, does not count
            rig.write(call("late", "2026-11-10T12:00:00Z", 32), call("new", "2026-11-30T12:00:00Z", 64));
            assertThat(rig.widgets(k)).containsEntry("calls", 3L).containsEntry("duration", 35L);
            rig.write(call("in1", "2026-11-12T00:00:00Z", 1)); // moved after the range
            rig.write(call("before", "2026-11-09T05:00:00Z", 16)); // moved into the previous period
            assertThat(rig.widgets(k)).containsEntry("calls", 2L).containsEntry("duration", 34L)
                    .containsEntry("calls.previous", 2L).containsEntry("duration.previous", 24L);
            rig.store.delete(rig.calls, "u1", List.of("in2"));
            rig.feed.awaitPosition(rig.store.changes().head(), Duration.ofSeconds(10));
            assertThat(rig.widgets(k)).containsEntry("calls", 1L);
            rig.assertLiveEqualsSql(k);
        }
    }

    @Test
    void rangeValues_areCanonical_andBadOnesSayWhatIsAccepted() throws Exception {
        try (Rig rig = new Rig()) {
            assertThat(rig.key(Map.of("range", "168h")).params()).containsEntry("range", "7d"); // one view for both
            assertThat(rig.key(Map.of("range", "36h")).params()).containsEntry("range", "36h");
            assertThat(rig.key(Map.of("hours", "1")).params()).containsEntry("range", "1h"); // seed 002's parameter
            assertThat(rig.key(Map.of("from", "2026-11-10T01:00:00+01:00", "to", "2026-11-10T02:00:00.000Z")).params())
                    .containsEntry("range", "2026-11-10T00:00:00Z..2026-11-10T02:00:00Z");
            Map<Map<String, String>, String> bad = Map.of(
                    Map.of("range", "2y"), "range must be one of 1h, 24h, 7d, today",
                    Map.of("range", "this_month"), "range must be one of",
                    Map.of("range", "800h"), "range must be one of",
                    Map.of("from", "2026-11-10T00:00:00Z"), "a custom range needs both from and to",
                    Map.of("from", "yesterday", "to", "2026-11-10T00:00:00Z"), "ISO-8601",
                    Map.of("from", "2026-11-10T00:00:00Z", "to", "2026-11-10T00:00:00Z"), "must start before it ends",
                    Map.of("from", "2026-01-01T00:00:00Z", "to", "2026-03-01T00:00:00Z"), "at most 31 days",
                    Map.of("hours", "0"), "hours must be between 1 and 744",
                    Map.of("hours", "x"), "hours must be a whole number");
            bad.forEach((q, message) -> assertThatThrownBy(() -> rig.key(q)).as(q.toString()).hasMessageContaining(message));
        }
    }

    @Test
    void definitions_checkTheRangeAndEveryRangeItAllows() throws Exception {
        DatasetCatalog catalog = catalog();
        Map<String, String> bad = Map.of(
                "range: { default: 2h, presets: [1h] }", "default '2h' is not one of the presets",
                "range: { presets: [upcoming] }", "must be a trailing or calendar window",
                "range: { presets: [] }", "'presets' must list",
                "range: { presets: [1h], longest: today }", "'longest' must be a length",
                // one-minute buckets over a year: the longest custom range would not compile
                "range: { presets: [1h], longest: 366d }", "more than 5000 buckets");
        bad.forEach((range, message) -> {
            String yaml = """
                    name: b
                    %s
                    widgets:
                      per_minute: { series: count, bucket: 1m, dataset: call_logs, window: "${range}" }
                    """.formatted(range);
            assertThatThrownBy(() -> Definitions.load(Map.of("b.yaml", yaml), catalog)).as(range).hasMessageContaining(message);
        });
        assertThatThrownBy(() -> Definitions.load(Map.of("b.yaml", """
                name: b
                range: { presets: [1h] }
                widgets:
                  n: { stat: count, dataset: call_logs, window: 1h }
                """), catalog)).hasMessageContaining("no widget's window is \"${range}\"");
    }
}
