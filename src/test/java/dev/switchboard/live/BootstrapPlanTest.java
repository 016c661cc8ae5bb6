package dev.switchboard.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.change.Row;
import dev.switchboard.change.Times;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.dataset.DatasetCatalog;
import dev.switchboard.store.Dialect;
import dev.switchboard.store.Snapshot;
import dev.switchboard.store.sqlite.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: bootstrapping the shipped calls dashboard on SQLite read the tenant's whole history
 * (the active-calls list walked (user_id, started_at) newest first and tested status row by row),
 * so bootstrap grew with the table instead of with the rows it returns. Records the exact SQL the
 * engine runs while bootstrapping, and checks with EXPLAIN QUERY PLAN that each query is an index
 * search constrained by every equality of its filter and by the time window, both without planner
 * statistics and after {@link SqliteStore#optimize} wrote them. It checks plan shape, not time.
 */
class BootstrapPlanTest {
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    static final String[] OUTCOMES = {"completed", "no_answer", "busy", "failed", "voicemail"};

    @TempDir
    Path dir;

    @Test
    void everyBootstrapQueryOfTheCallsDashboard_searchesAnIndexByItsFilterAndWindow() throws Exception {
        DatasetCatalog catalog = DatasetCatalog.of(DatasetCatalog.parse(
                Files.readString(Path.of("src/main/resources/packs/calls/datasets.yaml")), "calls"));
        Definitions defs = Definitions.load(Map.of("calls.yaml",
                Files.readString(Path.of("src/main/resources/packs/calls/dashboards/calls.yaml"))), catalog);
        DashboardDef def = defs.find("calls").orElseThrow();
        Dataset calls = catalog.find("call_logs").orElseThrow();
        try (SqliteStore store = SqliteStore.open(dir.resolve("plan.db"))) {
            store.migrate(List.copyOf(catalog.all()));
            load(store, calls);

            List<Planned> withoutStats = bootstrap(store, def, defs, catalog);
            assertThat(stats(store)).as("no statistics yet").isZero();
            store.optimize();
            assertThat(stats(store)).as("optimize wrote statistics").isPositive();
            List<Planned> withStats = bootstrap(store, def, defs, catalog);

            for (List<Planned> run : List.of(withoutStats, withStats)) {
                assertThat(run).extracting(Planned::sql).anyMatch(q -> q.contains("status = ?") && q.contains("ORDER BY"));
                assertThat(run).extracting(Planned::sql).anyMatch(q -> q.contains("outcome = ?") && q.contains("started_at >= ?"));
                for (Planned p : run) {
                    String plan = String.join(" | ", p.plan());
                    assertThat(plan).as(p.sql()).contains("SEARCH call_logs USING").doesNotContain("SCAN call_logs");
                    for (String column : List.of("user_id", "status", "outcome")) {
                        if (p.sql().contains("(" + column + " = ?)")) {
                            assertThat(plan).as(p.sql()).contains(column + "=?");
                        }
                    }
                    if (p.sql().contains("started_at >= ?")) {
                        assertThat(plan).as(p.sql()).contains("started_at>?");
                    }
                }
            }
        }
    }

    /** A tenant with a year of ended calls and a few active ones, plus another tenant. */
    private static void load(SqliteStore store, Dataset calls) {
        Random rnd = new Random(7);
        for (String tenant : List.of("t0", "t1")) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                boolean active = i < 5;
                long started = NOW.toEpochMilli() - (active ? rnd.nextInt(600_000) : 3_600_000L + (long) (rnd.nextDouble() * 365 * 86_400_000L));
                Map<String, Object> r = new HashMap<>();
                r.put("id", tenant + "-c" + i);
                r.put("user_id", tenant);
                r.put("agent_config_id", "agent-" + rnd.nextInt(20));
                r.put("status", active ? "active" : "ended");
                r.put("outcome", active ? null : OUTCOMES[rnd.nextInt(OUTCOMES.length)]);
                r.put("started_at", Times.format(Instant.ofEpochMilli(started)));
                r.put("duration", active ? null : (long) rnd.nextInt(600));
                rows.add(r);
            }
            store.ingest(calls, tenant, rows);
        }
    }

    private static long stats(SqliteStore store) {
        return store.read(s -> {
            List<Row> out = new ArrayList<>();
            s.query("SELECT count(*) AS n FROM sqlite_master WHERE name = 'sqlite_stat1'", List.of(), out::add);
            if (((Number) out.get(0).raw("n")).longValue() == 0) {
                return 0L;
            }
            out.clear();
            s.query("SELECT count(*) AS n FROM sqlite_stat1 WHERE tbl = 'call_logs'", List.of(), out::add);
            return ((Number) out.get(0).raw("n")).longValue();
        });
    }

    record Planned(String sql, List<String> plan) {}

    /** Bootstraps the view on a snapshot, recording each query with its plan; checks the result against SQL. */
    private static List<Planned> bootstrap(SqliteStore store, DashboardDef def, Definitions defs, DatasetCatalog catalog) {
        View view = Compiler.compile(def, defs.key(def, "t0", "", "", Map.of()), catalog);
        long now = NOW.toEpochMilli();
        return store.read(s -> {
            List<Planned> planned = new ArrayList<>();
            Widget.Sql recording = new Widget.Sql() {
                public Dialect dialect() {
                    return s.dialect();
                }

                public List<Row> query(String q, List<Object> params) {
                    List<String> plan = new ArrayList<>();
                    s.query("EXPLAIN QUERY PLAN " + q, params, r -> plan.add(String.valueOf(r.raw("detail"))));
                    planned.add(new Planned(q, plan));
                    return rows(s, q, params);
                }
            };
            view.bootstrap(recording, now);
            Map<String, Object> sql = view.sqlValues(plain(s), now);
            assertThat(Equality.sameValues(new LinkedHashMap<>(view.values(now)), sql)).as("engine equals SQL").isTrue();
            assertThat((List<?>) view.values(now).get("active_calls_list")).hasSize(5);
            return planned;
        });
    }

    private static Widget.Sql plain(Snapshot s) {
        return new Widget.Sql() {
            public Dialect dialect() {
                return s.dialect();
            }

            public List<Row> query(String q, List<Object> params) {
                return rows(s, q, params);
            }
        };
    }

    private static List<Row> rows(Snapshot s, String q, List<Object> params) {
        List<Row> out = new ArrayList<>();
        s.query(q, params, out::add);
        return out;
    }
}
