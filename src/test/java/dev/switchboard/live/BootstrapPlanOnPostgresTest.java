package dev.switchboard.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.change.Row;
import dev.switchboard.dataset.Column;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.pg.PgDatabase;
import dev.switchboard.store.Dialect;
import dev.switchboard.store.postgres.PostgresStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The PostgreSQL side of {@link BootstrapPlanTest}: every shipped dashboard's bootstrap SQL for one
 * tenant, as the engine writes it for PostgreSQL (lists order by the time column DESC NULLS LAST
 * and by the key COLLATE "C"), explained on tables big enough that the planner's choice means
 * something (a year of history, 100k rows of one tenant per table by default, -Dplans.rows=N to change, a smaller second
 * tenant; ANALYZE first). Each query must read by an index on the tenant, bounded by its window
 * or by the equalities of its filter, and a list must not sort the tenant's history for its LIMIT.
 * Scoped dashboards are explained for one subject of each scope too (a scope column has many
 * subjects per tenant; the one viewed has few rows), and their windowed queries and lists must
 * read by an index condition on the scope column. Checks plan shape (EXPLAIN, not ANALYZE), never time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BootstrapPlanOnPostgresTest {
    static final int ROWS = Integer.getInteger("plans.rows", 100_000);
    /** In-flight states: rare among a year of rows, as in production. */
    static final Set<String> LIVE = Set.of("active", "queued", "ringing", "in_progress", "dialing", "checked_in",
            "diagnosing", "awaiting_parts", "in_repair", "ready_for_pickup");
    private static final Pattern EQUALITY = Pattern.compile("\\((\\w+) = \\?\\)");

    private PgDatabase db;
    private Dialect dialect;

    @BeforeAll
    void load() throws Exception {
        db = PgDatabase.create("plans");
        Flyway.configure().dataSource(db.url, null, null).locations("classpath:db/postgresql").table("sb_schema_history")
                .load().migrate();
        try (PostgresStore store = PostgresStore.open(db.url, "plans")) {
            dialect = store.dialect();
        }
        try (Connection c = db.connect(); var st = c.createStatement()) {
            st.execute("SELECT setseed(0.7)");
            for (ShippedDashboards d : dashboards()) {
                for (Dataset ds : d.datasets()) {
                    if (count(c, ds) == 0) {
                        st.execute(insert(ds, "t0", ROWS));
                        st.execute(insert(ds, "t1", ROWS / 4));
                        st.execute("ANALYZE " + ds.name());
                    }
                }
            }
        }
    }

    @AfterAll
    void drop() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    static List<ShippedDashboards> dashboards() {
        return ShippedDashboards.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dashboards")
    void everyBootstrapQuery_readsTheTenantByIndexWithinItsFilterAndWindow(ShippedDashboards dashboard) throws SQLException {
        List<Planned> run = explain(dashboard);
        assertThat(run).isNotEmpty();
        for (Planned p : run) {
            System.out.println("PGPLAN " + dashboard + " | " + p.sql() + "\n" + String.join("\n", p.plan()));
        }
        for (Planned p : run) {
            check(p);
            checkScope(p, dashboard);
        }
    }

    /**
     * A scoped view's windowed queries and lists read the subject's rows by an index condition on
     * its scope column (after the tenant), not the tenant's rows tested one by one: a subject with
     * few rows would otherwise read most of the tenant's history before its LIMIT.
     */
    static void checkScope(Planned p, ShippedDashboards dashboard) {
        Dataset d = p.dataset();
        if (p.sql().equals("SELECT * FROM " + d.name() + " WHERE " + d.tenant() + " = ?")) {
            return; // a lookup's read of the tenant's dimension rows (e.g. campaign names), not the scoped rows
        }
        boolean windowed = p.sql().contains(d.time() + " >= ?");
        boolean list = p.sql().contains(" ORDER BY ");
        for (String column : dashboard.scopeColumns(d)) {
            assertThat(p.sql()).as("scope of " + dashboard).contains("(" + column + " = ?)");
            if (!windowed && !list) {
                continue;
            }
            List<String> conds = p.plan().stream().filter(l -> l.contains("Index Cond:")).toList();
            assertThat(conds).as("scope column %s of %s", column, p.sql()).isNotEmpty()
                    .allMatch(l -> l.contains("(" + column + " = "), "constrain the scope column");
        }
    }

    /**
     * A list stops an ordered index read of the tenant at its LIMIT; a windowed query reads its
     * window by index. An unwindowed count, sum or breakdown returns every matching row of the
     * tenant by design (the engine keeps it from all of them), so the planner may read those as
     * it likes, a sequential scan included when the tenant is most of the table.
     */
    static void check(Planned p) {
        Dataset d = p.dataset();
        String plan = String.join("\n", p.plan());
        boolean windowed = p.sql().contains(d.time() + " >= ?");
        boolean list = p.sql().contains(" ORDER BY ");
        if (!windowed && !list) {
            return;
        }
        assertThat(plan).as(p.sql()).doesNotContain("Seq Scan on " + d.name());
        List<String> conds = p.plan().stream().filter(l -> l.contains("Index Cond:")).toList();
        assertThat(conds).as("index conditions of " + p.sql()).isNotEmpty()
                .allMatch(l -> l.contains("(" + d.tenant() + " = "), "constrain the tenant");
        if (windowed) {
            assertThat(String.join("\n", conds)).as("window of " + p.sql()).contains("(" + d.time() + " >= ");
        }
        if (list && !windowed && (plan.matches("(?s).*(^|\\n|-> +)Sort .*") || plan.contains("Bitmap Heap Scan"))) {
            // a full Sort, or a Bitmap Heap Scan (rows in no order), reads every row that passes the
            // index condition (an Incremental Sort only orders rows that share a time, by key): fine
            // when that is the filter's rows, such as the active calls, not when it is the tenant
            List<String> filter = new ArrayList<>();
            Matcher m = EQUALITY.matcher(p.sql());
            while (m.find()) {
                if (!m.group(1).equals(d.tenant())) {
                    filter.add(m.group(1));
                }
            }
            assertThat(filter).as("list sorting the tenant's rows: " + p.sql()).isNotEmpty();
            for (String column : filter) {
                assertThat(String.join("\n", conds)).as("filter column %s of %s", column, p.sql()).contains("(" + column + " = ");
            }
        }
    }

    record Planned(Dataset dataset, String sql, List<String> plan) {}

    private List<Planned> explain(ShippedDashboards dashboard) throws SQLException {
        View view = dashboard.view("t0");
        List<Planned> planned = new ArrayList<>();
        try (Connection c = db.connect()) {
            view.bootstrap(new Widget.Sql() {
                public Dialect dialect() {
                    return dialect;
                }

                public List<Row> query(String q, List<Object> params) {
                    planned.add(new Planned(BootstrapPlanTest.dataset(dashboard, q), q, plan(c, q, params)));
                    return List.of(); // plans only: the rows do not change the SQL of the next query
                }
            }, BootstrapPlanTest.NOW.toEpochMilli());
        }
        return planned;
    }

    private static List<String> plan(Connection c, String q, List<Object> params) {
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + q)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(q + ": " + e.getMessage(), e);
        }
    }

    private static long count(Connection c, Dataset d) throws SQLException {
        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT count(*) FROM " + d.name())) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** {@code n} rows of {@code tenant}: a year of history up to NOW and a month of future ones (5%). */
    static String insert(Dataset d, String tenant, int n) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Column c : d.columns().values()) {
            values.put(c.name(), value(d, c, tenant));
        }
        return "INSERT INTO " + d.name() + " (" + String.join(", ", values.keySet()) + ") SELECT "
                + String.join(", ", values.values()) + " FROM (SELECT g, timestamptz '" + BootstrapPlanTest.NOW
                + "' - random() * interval '365 days' + CASE WHEN g % 20 = 0 THEN interval '395 days' / 12 ELSE interval '0' END AS t"
                + " FROM generate_series(1, " + n + ") g) s";
    }

    private static String value(Dataset d, Column c, String tenant) {
        if (c.name().equals(d.key())) {
            return "'" + tenant + "-" + d.name() + "-' || g";
        }
        if (c.name().equals(d.tenant())) {
            return "'" + tenant + "'";
        }
        if (BootstrapPlanTest.SCOPE_COLUMNS.contains(d.name() + "." + c.name())) {
            // the subjects of a scope (agents, dentists, patients): SUBJECT has one row in 1000
            int n = ShippedDashboards.subjects(c.name());
            return "CASE WHEN random() < 0.001 THEN '" + ShippedDashboards.SUBJECT + "' ELSE 's' || (1 + floor(random() * " + n + ")::int) END";
        }
        return switch (c.type()) {
            case TEXT -> ShippedDashboards.values(c).isEmpty() ? "'v' || floor(random() * 20)::int" : choice(ShippedDashboards.values(c));
            case TIME -> c.name().equals(d.time()) ? "t" : "t + random() * interval '1 hour'";
            case INTEGER -> "floor(" + Math.max(c.min(), 0) + " + random() * 100)::bigint";
            case NUMBER -> "round((random() * 100)::numeric, 2)::double precision";
            case BOOLEAN -> "random() < 0.5";
            case JSON -> "NULL";
        };
    }

    /** Live states one row in a thousand, the others evenly. */
    private static String choice(List<String> values) {
        List<String> live = values.stream().filter(LIVE::contains).toList();
        List<String> rest = values.stream().filter(v -> !LIVE.contains(v)).toList();
        String restPick = pick(rest.isEmpty() ? values : rest);
        return live.isEmpty() || rest.isEmpty() ? restPick : "CASE WHEN random() < 0.001 THEN " + pick(live) + " ELSE " + restPick + " END";
    }

    private static String pick(List<String> values) {
        return "(ARRAY[" + values.stream().map(v -> "'" + v + "'").collect(Collectors.joining(", ")) + "])[1 + floor(random() * "
                + values.size() + ")::int]";
    }
}
