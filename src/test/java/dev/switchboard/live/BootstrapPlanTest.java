package dev.switchboard.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.change.Row;
import dev.switchboard.change.Times;
import dev.switchboard.dataset.Column;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.store.Dialect;
import dev.switchboard.store.Snapshot;
import dev.switchboard.store.sqlite.SqliteStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Regression: bootstrapping the shipped calls dashboard on SQLite read the tenant's whole history
 * (the active-calls list walked (user_id, started_at) newest first and tested status row by row),
 * so bootstrap grew with the table instead of with the rows it returns. For every shipped
 * dashboard, records the exact SQL the engine runs while bootstrapping one tenant's view and
 * checks with EXPLAIN QUERY PLAN that each query is an index search on the tenant, constrained by
 * every equality (and IN) of its filter and by its time window, and that a list reads its rows in
 * order instead of sorting the tenant's history; both without planner statistics and after
 * {@link SqliteStore#optimize} wrote them. Each scoped dashboard is checked the same way for one
 * subject of each scope (an agent, dentist or patient with few of the tenant's rows), its scope
 * column being one more equality the index search must constrain. It checks plan shape, not time.
 */
class BootstrapPlanTest {
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    static final long DAY = 86_400_000L;
    static final int ROWS = 3000;
    private static final Pattern EQUALITY = Pattern.compile("\\((\\w+) (?:= \\?|IN \\()");
    /** "dataset.column" of the scope columns: many subjects per tenant, {@link ShippedDashboards#SUBJECT} with few rows. */
    static final Set<String> SCOPE_COLUMNS = ShippedDashboards.scopeColumns();

    @TempDir
    Path dir;

    static List<ShippedDashboards> dashboards() {
        return ShippedDashboards.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dashboards")
    void everyBootstrapQuery_searchesAnIndexByItsFilterAndWindow(ShippedDashboards dashboard) {
        try (SqliteStore store = SqliteStore.open(dir.resolve("plan.db"))) {
            store.migrate(List.copyOf(dashboard.catalog().all()));
            for (Dataset d : dashboard.datasets()) {
                load(store, d);
            }
            List<Planned> withoutStats = bootstrap(store, dashboard);
            assertThat(stats(store, dashboard.datasets())).as("no statistics yet").isZero();
            store.optimize();
            assertThat(stats(store, dashboard.datasets())).as("optimize wrote statistics").isPositive();
            List<Planned> withStats = bootstrap(store, dashboard);

            for (List<Planned> run : List.of(withoutStats, withStats)) {
                assertThat(run).as("one query per row set and list").isNotEmpty();
                for (Planned p : run) {
                    System.out.println("PLAN " + dashboard + " | " + p.sql() + "\n     -> " + String.join(" | ", p.plan()));
                }
                for (Planned p : run) {
                    check(p);
                    checkScope(p, dashboard);
                }
            }
        }
    }

    /**
     * The plan reads the rows the query returns (or its window), not the tenant's history: a search
     * on the tenant, every equality of the filter and the window, in the list's order.
     */
    static void check(Planned p) {
        Dataset d = p.dataset();
        String plan = String.join(" | ", p.plan());
        String table = d.name();
        assertThat(plan).as(p.sql()).contains("SEARCH " + table + " USING").doesNotContain("SCAN " + table);
        if (byKey(p)) {
            return; // a view scoped to one row's key (seed 004's campaign) reads it by the primary key: one row, nothing to sort
        }
        assertThat(plan).as(p.sql()).contains("(" + d.tenant() + "=?");
        boolean windowed = p.sql().contains(d.time() + " >= ?");
        if (windowed) {
            assertThat(plan).as("window of " + p.sql()).contains(d.time() + ">?");
        }
        boolean list = p.sql().contains(" ORDER BY ");
        boolean sorts = plan.contains("USE TEMP B-TREE FOR ORDER BY"); // "FOR LAST TERM" (the key tiebreak) is fine
        Matcher m = EQUALITY.matcher(p.sql());
        while (m.find()) {
            // an IN list may instead be tested row by row while a windowed list reads its window in order
            boolean in = m.group(0).endsWith("IN (");
            // a search by the row key (tenant, key) finds one row at most: no other column is needed
            boolean byRowKey = plan.contains(p.dataset().tenant() + "=? AND " + p.dataset().key() + "=?)");
            if (!(in && windowed && list && !sorts) && !byRowKey) {
                assertThat(plan).as("filter column %s of %s", m.group(1), p.sql()).contains(m.group(1) + "=?");
            }
        }
        if (list && !(windowed && p.sql().contains(" IN ("))) {
            // sorting is fine only for the ranges of an IN filter within a window: those rows are all it reads
            assertThat(plan).as("list order of " + p.sql()).doesNotContain("USE TEMP B-TREE FOR ORDER BY");
        }
    }

    /**
     * A scoped view filters every query by its scope column as well: an equality the index search
     * must constrain (a subject with few rows must not read the tenant's history to find them).
     */
    static void checkScope(Planned p, ShippedDashboards dashboard) {
        String plan = String.join(" | ", p.plan());
        if (byKey(p) || p.sql().equals("SELECT * FROM " + p.dataset().name() + " WHERE " + p.dataset().tenant() + " = ?")) {
            return; // (or a lookup's read of the tenant's dimension rows, e.g. campaign names: not the scoped rows)
        }
        for (String column : dashboard.scopeColumns(p.dataset())) {
            assertThat(p.sql()).as("scope of " + dashboard).contains("(" + column + " = ?)");
            assertThat(plan).as("scope column %s of %s", column, p.sql()).containsPattern("SEARCH " + p.dataset().name()
                    + " USING (?:COVERING )?INDEX \\w+ \\(" + p.dataset().tenant() + "=\\? AND (?:\\w+=\\? AND )*" + column + "=\\?");
        }
    }

    /** Whether the plan searches the table by its primary key (unique across tenants): it reads at most one row. */
    static boolean byKey(Planned p) {
        String plan = String.join(" | ", p.plan());
        String key = p.dataset().key();
        return p.sql().contains("(" + key + " = ?)") && plan.matches(".*SEARCH " + p.dataset().name()
                + " USING (?:INDEX sqlite_autoindex_" + p.dataset().name() + "_1|INTEGER PRIMARY KEY) \\((?:" + p.dataset().tenant() + "=\\? AND )?" + key + "=\\?\\).*");
    }

    /** A year of history and a month of future rows for two tenants: typed values drawn per column. */
    static void load(SqliteStore store, Dataset d) {
        Random rnd = new Random(7);
        for (String tenant : List.of("t0", "t1")) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int i = 0; i < ROWS; i++) {
                long time = NOW.toEpochMilli() - (long) (rnd.nextDouble() * 365 * DAY) + (i % 20 == 0 ? 395 * DAY / 12 : 0);
                Map<String, Object> r = new HashMap<>();
                for (Column c : d.columns().values()) {
                    r.put(c.name(), value(d, c, tenant, i, time, rnd));
                }
                rows.add(r);
            }
            store.ingest(d, tenant, rows);
        }
    }

    private static Object value(Dataset d, Column c, String tenant, int i, long time, Random rnd) {
        if (c.name().equals(d.key())) {
            return tenant + "-" + d.name() + "-" + i;
        }
        if (c.name().equals(d.tenant())) {
            return tenant;
        }
        if (SCOPE_COLUMNS.contains(d.name() + "." + c.name())) {
            return ShippedDashboards.scopeValue(rnd.nextDouble(), ShippedDashboards.subjects(c.name()), 100);
        }
        return switch (c.type()) {
            case TEXT -> ShippedDashboards.values(c).isEmpty() ? "v" + rnd.nextInt(20)
                    : ShippedDashboards.values(c).get(rnd.nextInt(ShippedDashboards.values(c).size()));
            case TIME -> Times.format(Instant.ofEpochMilli(c.name().equals(d.time()) ? time : time + rnd.nextInt(3_600_000)));
            case INTEGER -> (long) (Math.max(c.min(), 0) + rnd.nextInt(100));
            case NUMBER -> Math.max(c.min(), 0) + rnd.nextInt(10_000) / 100.0;
            case BOOLEAN -> rnd.nextBoolean();
            case JSON -> null;
        };
    }

    private static long stats(SqliteStore store, List<Dataset> datasets) {
        return store.read(s -> {
            List<Row> out = new ArrayList<>();
            s.query("SELECT count(*) AS n FROM sqlite_master WHERE name = 'sqlite_stat1'", List.of(), out::add);
            if (((Number) out.get(0).raw("n")).longValue() == 0) {
                return 0L;
            }
            out.clear();
            s.query("SELECT count(*) AS n FROM sqlite_stat1 WHERE tbl IN ("
                    + String.join(", ", datasets.stream().map(d -> "'" + d.name() + "'").toList()) + ")", List.of(), out::add);
            return ((Number) out.get(0).raw("n")).longValue();
        });
    }

    record Planned(Dataset dataset, String sql, List<String> plan) {}

    /** Bootstraps the tenant's view on a snapshot, recording each query with its plan; checks the result against SQL. */
    private static List<Planned> bootstrap(SqliteStore store, ShippedDashboards dashboard) {
        View view = dashboard.view("t0");
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
                    planned.add(new Planned(dataset(dashboard, q), q, plan));
                    return rows(s, q, params);
                }
            };
            view.bootstrap(recording, now);
            Map<String, Object> sql = view.sqlValues(plain(s), now);
            assertThat(Equality.sameValues(new LinkedHashMap<>(view.values(now)), sql)).as("engine equals SQL").isTrue();
            return planned;
        });
    }

    static Dataset dataset(ShippedDashboards dashboard, String q) {
        Matcher m = Pattern.compile(" FROM (\\w+) ").matcher(q);
        assertThat(m.find()).as(q).isTrue();
        return dashboard.catalog().find(m.group(1)).orElseThrow();
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
