package dev.switchboard.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.switchboard.change.ChangeFeed;
import dev.switchboard.change.Position;
import dev.switchboard.change.Times;
import dev.switchboard.dataset.Column;
import dev.switchboard.dataset.ColumnType;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.dataset.DatasetCatalog;
import dev.switchboard.store.sqlite.SqliteStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Invariant 4, "live equals SQL": random inserts, updates, partial upserts, deletes, late events,
 * writes by an outside SQL client and clock jumps across window edges, after which every watched
 * view must equal what SQL computes for the same definition, scope and instant.
 *
 * <p>Repeat a failure with {@code -Dswitchboard.diff.seed=<seed>}; change the length with
 * {@code -Dswitchboard.diff.ops=<n>}.
 */
class DifferentialTest {
    static final String SEED = "switchboard.diff.seed";
    static final String OPS = "switchboard.diff.ops";
    static final List<String> TENANTS = List.of("t1", "t2", "t3");
    static final List<String> SUBJECTS = List.of("sub0", "sub1", "sub2", "sub3");
    static final ZoneId TEST_ZONE = ZoneId.of("Europe/Berlin");

    /** A dataset exercising every column type, with its table. */
    static final String TEST_DATASETS = """
            diff_events:
              key: id
              tenant: tenant_id
              time: at
              columns:
                id: { type: text, required: true, max_length: 64 }
                tenant_id: { type: text, required: true }
                at: { type: time, required: true }
                kind: { type: text, values: [alpha, beta, gamma] }
                owner: { type: text }
                status: { type: text, values: [open, done, failed] }
                amount: { type: integer, min: 0, max: 1000 }
                score: { type: number, min: 0, max: 100 }
                flag: { type: boolean }
                due: { type: time }
                note: { type: text }
              lookups:
                owner_ref: { dataset: diff_owners, on: owner }
            diff_owners:
              key: id
              tenant: tenant_id
              time: at
              columns:
                id: { type: text, required: true, max_length: 64 }
                tenant_id: { type: text, required: true }
                at: { type: time, required: true }
                name: { type: text }
                team: { type: text }
                rank: { type: integer, min: 0, max: 10 }
              lookups:
                team_ref: { dataset: diff_teams, on: team }
            diff_teams:
              key: id
              tenant: tenant_id
              time: at
              columns:
                id: { type: text, required: true, max_length: 64 }
                tenant_id: { type: text, required: true }
                at: { type: time, required: true }
                label: { type: text }
            """;
    static final String TEST_TABLE = """
            CREATE TABLE diff_events (
                id TEXT NOT NULL, tenant_id TEXT NOT NULL, at TEXT NOT NULL, kind TEXT, owner TEXT,
                status TEXT, amount INTEGER, score REAL, flag INTEGER, due TEXT, note TEXT, PRIMARY KEY (tenant_id, id));
            CREATE INDEX idx_diff_events_tenant_at ON diff_events (tenant_id, at);
            CREATE TABLE diff_owners (id TEXT NOT NULL, tenant_id TEXT NOT NULL, at TEXT NOT NULL, name TEXT, team TEXT, rank INTEGER,
                PRIMARY KEY (tenant_id, id));
            CREATE TABLE diff_teams (id TEXT NOT NULL, tenant_id TEXT NOT NULL, at TEXT NOT NULL, label TEXT, PRIMARY KEY (tenant_id, id))
            """;

    /** Every widget kind, option, filter operator and window, in a zone that is not UTC. */
    static final String TEST_DASHBOARD = """
            name: difftest
            title: Differential test
            zone: Europe/Berlin
            params:
              hours: { default: 24, min: 1, max: 168 }
            scopes:
              owner: { owner: "${sub}" }
            widgets:
              n_all:            { stat: count, dataset: diff_events }
              n_2h:             { stat: count, dataset: diff_events, window: 2h }
              n_hours:          { stat: count, dataset: diff_events, window: "${hours}h" }
              sum_amount_24h:   { stat: sum, field: amount, dataset: diff_events, window: 24h }
              sum_score_week:   { stat: sum, field: score, dataset: diff_events, window: this_week }
              avg_score_today:  { stat: avg, field: score, dataset: diff_events, window: today }
              avg_amount:       { stat: avg, field: amount, dataset: diff_events, where: { kind: beta } }
              min_amount_week:  { stat: min, field: amount, dataset: diff_events, window: this_week }
              max_score_month:  { stat: max, field: score, dataset: diff_events, window: this_month }
              max_amount_past:  { stat: max, field: amount, dataset: diff_events, window: past }
              distinct_owner:   { stat: distinct, field: owner, dataset: diff_events, window: 24h }
              distinct_kind_up: { stat: distinct, field: kind, dataset: diff_events, window: upcoming }
              ratio_done:       { stat: ratio, dataset: diff_events, numerator: { status: done }, where: { kind: { in: [alpha, beta] } }, window: 24h }
              ratio_flag_month: { stat: ratio, dataset: diff_events, numerator: { flag: true }, window: this_month }
              rate_2h:          { stat: rate, dataset: diff_events, window: 2h }
              past_mid_amount:  { stat: count, dataset: diff_events, window: past, where: { amount: { gt: 100, lte: 500 } } }
              not_failed:       { stat: count, dataset: diff_events, where: { status: { ne: failed } } }
              no_note_24h:      { stat: count, dataset: diff_events, where: { note: { null: true } }, window: 24h }
              with_due:         { stat: count, dataset: diff_events, where: { due: { null: false } } }
              due_after:        { stat: count, dataset: diff_events, where: { due: { gt: "2026-12-01T00:00:00Z" } } }
              done_or_flag:     { stat: count, dataset: diff_events, where: { or: [ { status: done }, { flag: true } ] }, window: this_week }
              not_alpha_today:  { stat: count, dataset: diff_events, where: { not: { kind: alpha } }, window: today }
              gamma_upcoming:   { stat: count, dataset: diff_events, where: { kind: { eq: gamma } }, window: upcoming }
              score_band:       { stat: count, dataset: diff_events, where: { score: { gte: 10, lt: 60 } } }
              nested:           { stat: sum, field: amount, dataset: diff_events, window: 24h,
                                  where: { and: [ { or: [ { kind: alpha }, { not: { status: { in: [open, failed] } } } ] }, { amount: { gte: 50 } } ] } }
              by_kind:          { breakdown: kind, dataset: diff_events, window: 24h }
              by_status_amount: { breakdown: status, stat: "sum(amount)", dataset: diff_events, window: this_week }
              by_owner_avg:     { breakdown: owner, stat: "avg(score)", dataset: diff_events, where: { flag: true } }
              by_flag_ratio:    { breakdown: flag, stat: "ratio(status=done)", dataset: diff_events, window: this_month }
              by_amount_max:    { breakdown: kind, stat: "max(amount)", dataset: diff_events, window: "${hours}h" }
              per_hour:         { series: count, bucket: 1h, dataset: diff_events, window: 24h }
              per_hour_amount:  { series: "sum(amount)", bucket: 1h, dataset: diff_events, window: 2h }
              per_15m_avg:      { series: "avg(score)", bucket: 15m, dataset: diff_events, window: "${hours}h", where: { flag: true } }
              per_day_week:     { series: "sum(amount)", bucket: 1d, dataset: diff_events, window: this_week }
              per_day_count:    { series: count, bucket: 1d, dataset: diff_events, window: this_week, where: { status: done } }
              per_day_month:    { series: "count(kind=gamma)", bucket: 1d, dataset: diff_events, window: this_month }
              per_hour_today:   { series: "distinct(owner)", bucket: 1h, dataset: diff_events, window: today }
              owners:
                table: owner
                dataset: diff_events
                window: 24h
                order: amount desc
                limit: 3
                columns:
                  n: count
                  done: "count(status=done)"
                  amount: "sum(amount)"
                  avg_score: "avg(score)"
                  done_rate: "ratio(status=done)"
                  ab_rate: "ratio(kind in alpha|beta)"
                  low: "min(amount)"
                  high: "max(score)"
                  kinds: "distinct(kind)"
              kinds:
                table: kind
                dataset: diff_events
                where: { amount: { lt: 900 } }
                order: n asc
                limit: 2
                columns:
                  n: count
                  flagged: "ratio(flag=true)"
                  avg_amount: "avg(amount)"
              statuses:
                table: status
                dataset: diff_events
                window: this_month
                columns:
                  avg_score: "avg(score)"
                  n: count
              recent:           { list: diff_events, order: at desc, limit: 5 }
              by_owner_name:    { breakdown: owner_ref.name, dataset: diff_events, window: 24h }
              by_team_amount:   { breakdown: owner_ref.team_ref.label, stat: "sum(amount)", dataset: diff_events }
              teams:
                table: owner_ref.team_ref.label
                dataset: diff_events
                window: this_week
                order: n desc
                limit: 3
                columns:
                  n: count
                  amount: "sum(amount)"
                  avg_score: "avg(score)"
                  low: "min(amount)"
                  kinds: "distinct(kind)"
                  done_rate: "ratio(status=done)"
              owners_labelled:
                table: owner
                label: owner_ref.team_ref.label
                dataset: diff_events
                window: 24h
                columns:
                  n: count
                  amount: "sum(amount)"
              owner_names:
                table: owner_ref.name
                dataset: diff_events
                where: { status: { ne: failed } }
                columns:
                  n: count
                  high: "max(score)"
              named_recent:     { list: diff_events, order: at desc, limit: 6, fields: [amount, owner_ref.name, owner_ref.team_ref.label, owner_ref.rank] }
              named_open:       { list: diff_events, order: amount asc, limit: 4, window: this_week, where: { status: open }, fields: [owner_ref.team_ref.label] }
              cheapest_open:    { list: diff_events, order: amount asc, limit: 7, window: this_week,
                                  where: { status: { in: [open, failed] } }, fields: [amount, status, owner] }
              next_up:          { list: diff_events, order: at asc, limit: 4, window: upcoming }
              best_scores:      { list: diff_events, order: score desc, limit: 3, window: 2h }
              by_due:           { list: diff_events, order: due desc, limit: 6, window: past, fields: [due, kind] }
              oldest:           { list: diff_events, order: at asc, limit: 3 }
            """;

    /**
     * A dashboard's range: presets (trailing and calendar) and custom ranges (fixed bounds) over
     * every widget kind, each stat with its previous period ({@code <stat>.previous}).
     */
    static final String TEST_RANGE_DASHBOARD = """
            name: diffrange
            title: Differential test of ranges
            zone: Europe/Berlin
            range:
              default: 24h
              presets: [2h, 24h, 7d, today, this_week, this_month]
              longest: 40d
            scopes:
              owner: { owner: "${sub}" }
            widgets:
              n:         { stat: count, dataset: diff_events, window: "${range}" }
              amount:    { stat: sum, field: amount, dataset: diff_events, window: "${range}", where: { status: { ne: failed } } }
              avg_score: { stat: avg, field: score, dataset: diff_events, window: "${range}" }
              low:       { stat: min, field: amount, dataset: diff_events, window: "${range}" }
              high:      { stat: max, field: score, dataset: diff_events, window: "${range}", where: { flag: true } }
              done:      { stat: ratio, dataset: diff_events, numerator: { status: done }, window: "${range}" }
              owners:    { stat: distinct, field: owner, dataset: diff_events, window: "${range}" }
              not_compared: { stat: count, dataset: diff_events, window: "${range}", compare: false }
              by_kind:   { breakdown: kind, dataset: diff_events, window: "${range}" }
              per_hour:  { series: count, bucket: 1h, dataset: diff_events, window: "${range}" }
              per_day:   { series: "sum(amount)", bucket: 1d, dataset: diff_events, window: "${range}" }
              by_owner:  { table: owner, dataset: diff_events, window: "${range}", columns: { n: count, amount: "sum(amount)" } }
              recent:    { list: diff_events, order: at desc, limit: 5, window: "${range}" }
            """;

    @TempDir
    Path dir;

    @Test
    void liveEqualsSqlQuick() throws Exception {
        run(Long.getLong(SEED, 20261123L), Integer.getInteger(OPS, 6_000), 300);
    }

    @Test
    @Tag("slow")
    void liveEqualsSql100k() throws Exception {
        run(Long.getLong(SEED, 424242L), Integer.getInteger(OPS, 100_000), 2_000);
    }

    private void run(long seed, int ops, int checkEvery) throws Exception {
        try (Harness h = new Harness(dir, seed)) {
            h.open();
            h.check(0);
            int done = 0;
            long writeNanos = 0;
            long checkNanos = 0;
            while (done < ops) {
                int batch = Math.min(checkEvery, ops - done);
                long t0 = System.nanoTime();
                for (int i = 0; i < batch; i++) {
                    h.step();
                }
                long t1 = System.nanoTime();
                done += batch;
                h.check(done);
                writeNanos += t1 - t0;
                checkNanos += System.nanoTime() - t1;
            }
            System.out.printf("differential test seed=%d ops=%d checks=%d views=%d widgets compared=%d clock jumps=%d deltas=%d"
                            + " last clock=%s writing=%d ms checking=%d ms%n",
                    seed, ops, h.checks, h.keys.size(), h.compared, h.jumps, h.deltas, h.clock.instant(), writeNanos / 1_000_000, checkNanos / 1_000_000);
            assertThat(h.compared).isPositive();
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** Everything one run needs: store, outside writer, feed, engine, generators, watched views. */
    static final class Harness implements AutoCloseable {
        final long seed;
        final Random rnd;
        final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T21:17:31.250Z"));
        final SqliteStore store;
        final Connection outside;
        final DatasetCatalog catalog;
        final Definitions definitions;
        final ChangeFeed feed;
        final LiveEngine engine;
        final List<Gen> gens = new ArrayList<>();
        final List<ViewKey> keys = new ArrayList<>();
        final Map<ViewKey, Map<String, Object>> folded = new ConcurrentHashMap<>();
        int ops;
        int checks;
        long compared;
        int jumps;
        volatile long deltas;

        Harness(Path dir, long seed) throws Exception {
            this.seed = seed;
            this.rnd = new Random(seed);
            Map<String, String> dashboards = new TreeMap<>();
            List<Dataset> datasets = new ArrayList<>(readPacks(dashboards));
            List<Dataset> packDatasets = List.copyOf(datasets);
            datasets.addAll(DatasetCatalog.parse(TEST_DATASETS, "DifferentialTest"));
            dashboards.put("DifferentialTest/difftest.yaml", TEST_DASHBOARD);
            dashboards.put("DifferentialTest/diffrange.yaml", TEST_RANGE_DASHBOARD);
            catalog = DatasetCatalog.of(datasets);
            definitions = Definitions.load(dashboards, catalog);

            Path file = dir.resolve("diff.db");
            store = SqliteStore.open(file);
            store.migrate(packDatasets);
            outside = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (var st = outside.createStatement()) {
                st.execute("PRAGMA busy_timeout = 10000");
                st.execute("PRAGMA synchronous = NORMAL");
                for (String ddl : TEST_TABLE.split(";")) {
                    st.execute(ddl);
                }
            }
            store.migrate(datasets); // installs capture on the test table too

            Map<String, Set<String>> literals = new HashMap<>();
            Set<String> subjectFields = new LinkedHashSet<>();
            for (DashboardDef def : definitions.all()) {
                def.widgets().values().forEach(w -> collectLiterals(w, literals));
                def.scopes().values().forEach(s -> collectScope(s, subjectFields, literals));
            }
            // lookups: references draw from a small pool of the target's keys, and the target's new
            // rows take keys from that pool, so references hit, miss (deleted, other tenant) and move
            Map<String, List<String>> keyPools = new HashMap<>();
            for (Dataset d : datasets) {
                for (Dataset.Lookup l : d.lookups().values()) {
                    List<String> pool = keyPools.computeIfAbsent(l.dataset(), t -> {
                        List<String> keys = new ArrayList<>();
                        for (int i = 0; i < 6; i++) {
                            keys.add(t + "-k" + i);
                        }
                        return keys;
                    });
                    literals.computeIfAbsent(l.on(), k -> new LinkedHashSet<>()).addAll(pool);
                }
            }
            for (Dataset d : datasets) {
                Gen g = new Gen(d, literals, subjectFields);
                g.keyPool = keyPools.get(d.name());
                g.rnd = rnd;
                gens.add(g);
            }

            feed = new ChangeFeed(store.changes(), store.changes().head());
            engine = new LiveEngine(definitions, catalog, store, clock, feed, (view, at, widgets) -> {
                deltas++;
                folded.computeIfAbsent(view, k -> new ConcurrentHashMap<>()).putAll(nullSafe(widgets));
            });
            feed.addListener(engine);
            feed.start();

            for (DashboardDef def : definitions.all()) {
                keys.addAll(viewKeys(def));
            }
        }

        /** A few views per dashboard: two tenants, unscoped and per scope, default and extreme params. */
        List<ViewKey> viewKeys(DashboardDef def) {
            List<ViewKey> out = new ArrayList<>();
            out.add(definitions.key(def, "t1", "", "", Map.of()));
            Map<String, String> low = new HashMap<>();
            Map<String, String> high = new HashMap<>();
            def.params().forEach((n, p) -> {
                low.put(n, String.valueOf(Math.max(p.min(), Math.min(p.max(), 2))));
                high.put(n, String.valueOf(Math.min(p.max(), Math.max(p.min(), 168))));
            });
            out.add(definitions.key(def, "t2", "", "", high));
            if (!def.params().isEmpty()) {
                out.add(definitions.key(def, "t1", "", "", low));
            }
            for (String scope : def.scopes().keySet()) {
                out.add(definitions.key(def, "t1", scope, "sub0", Map.of()));
                out.add(definitions.key(def, "t2", scope, "sub1", low));
            }
            if (def.range().declared()) {
                // presets (all of them for the test dashboard), and custom ranges: one in the past that
                // late rows still land in, one the clock moves into and past
                List<String> presets = def.name().equals("diffrange") ? def.range().presets()
                        : List.of(def.range().presets().get(def.range().presets().size() - 1));
                presets.forEach(p -> out.add(definitions.key(def, "t1", "", "", Map.of("range", p))));
                out.add(definitions.key(def, "t2", "", "", Map.of("range", fixedRanges.get(0))));
                String[] around = fixedRanges.get(1).split("\\.\\.");
                out.add(definitions.key(def, "t1", "", "", Map.of("from", around[0], "to", around[1])));
                for (String scope : def.scopes().keySet()) {
                    out.add(definitions.key(def, "t1", scope, "sub0", Map.of("range", fixedRanges.get(0))));
                }
            }
            return out;
        }

        /** Custom ranges of the views: [start-30h, start-2h) and [start-1h, start+6h); their edges get rows. */
        /** Edges of the custom ranges and of their previous periods. */
        final Instant[] fixedEdges = {
                clock.instant().minus(58, ChronoUnit.HOURS), clock.instant().minus(30, ChronoUnit.HOURS), clock.instant().minus(2, ChronoUnit.HOURS),
                clock.instant().minus(8, ChronoUnit.HOURS), clock.instant().minus(1, ChronoUnit.HOURS), clock.instant().plus(6, ChronoUnit.HOURS)};
        final List<String> fixedRanges = List.of(
                clock.instant().minus(30, ChronoUnit.HOURS) + ".." + clock.instant().minus(2, ChronoUnit.HOURS),
                clock.instant().minus(1, ChronoUnit.HOURS) + ".." + clock.instant().plus(6, ChronoUnit.HOURS));

        /** Subscribes to every view, so none is evicted however far the clock jumps. */
        void open() {
            for (ViewKey k : keys) {
                engine.open(List.of(k), true, s -> {
                    folded.put(k, new ConcurrentHashMap<>(nullSafe(s.get(0).widgets())));
                    return null;
                }).join();
            }
        }

        // ----- operations ----------------------------------------------------------------------

        void step() throws SQLException {
            ops++;
            int r = rnd.nextInt(1000);
            if (r < 6) {
                jump();
                return;
            }
            Gen g = gens.get(rnd.nextInt(gens.size()));
            if (r < 300 || g.size() < 20) {
                insert(g);
            } else if (r < 430) {
                update(g, false);
            } else if (r < 560) {
                update(g, true);
            } else if (r < 640) {
                delete(g);
            } else if (r < 700) {
                lateInsert(g);
            } else if (r < 760) {
                outsideInsert(g);
            } else if (r < 880) {
                outsideUpdate(g);
            } else if (r < 930) {
                outsideDelete(g);
            } else if (r < 965) {
                outsideMoveTenant(g);
            } else if (r < 980) {
                outsideRekey(g);
            } else {
                g.trim(this);
                insert(g);
            }
        }

        void insert(Gen g) {
            String tenant = TENANTS.get(rnd.nextInt(TENANTS.size()));
            int n = 1 + rnd.nextInt(3);
            List<Map<String, Object>> rows = new ArrayList<>();
            Set<String> batch = new java.util.HashSet<>();
            for (int i = 0; i < n; i++) {
                String key = g.newKey(tenant);
                if (batch.add(key)) {
                    rows.add(g.fullRow(this, key, tenant));
                }
            }
            store.ingest(g.dataset, tenant, rows);
            rows.forEach(row -> g.added((String) row.get(g.dataset.key()), tenant));
        }

        void lateInsert(Gen g) {
            String tenant = TENANTS.get(rnd.nextInt(TENANTS.size()));
            Map<String, Object> row = g.fullRow(this, g.newKey(tenant), tenant);
            long back = 60_000L + (long) (rnd.nextDouble() * 30 * 3_600_000L);
            row.put(g.dataset.time(), Times.format(clock.instant().minusMillis(back)));
            store.ingest(g.dataset, tenant, List.of(row));
            g.added((String) row.get(g.dataset.key()), tenant);
        }

        /** A full row (moves it across filters, groups, buckets and subjects) or a partial upsert. */
        void update(Gen g, boolean partial) {
            Gen.Ref ref = g.anyRef(rnd);
            String key = ref.key();
            String tenant = ref.tenant();
            Map<String, Object> row;
            if (partial) {
                row = new LinkedHashMap<>();
                row.put(g.dataset.key(), key);
                row.put(g.dataset.tenant(), tenant);
                List<Column> cols = g.valueColumns();
                int n = 1 + rnd.nextInt(3);
                for (int i = 0; i < n; i++) {
                    Column c = cols.get(rnd.nextInt(cols.size()));
                    row.put(c.name(), g.value(this, c));
                }
            } else {
                row = g.fullRow(this, key, tenant);
            }
            store.ingest(g.dataset, tenant, List.of(row));
        }

        void delete(Gen g) {
            Gen.Ref ref = g.anyRef(rnd);
            String tenant = ref.tenant();
            List<String> doomed = new ArrayList<>(List.of(ref.key()));
            Gen.Ref other = g.anyRef(rnd);
            if (rnd.nextBoolean() && !other.equals(ref) && other.tenant().equals(tenant)) {
                doomed.add(other.key());
            }
            store.delete(g.dataset, tenant, doomed);
            doomed.forEach(k -> g.removed(new Gen.Ref(tenant, k)));
        }

        void outsideInsert(Gen g) throws SQLException {
            String tenant = TENANTS.get(rnd.nextInt(TENANTS.size()));
            Map<String, Object> row = g.fullRow(this, g.newKey(tenant), tenant);
            List<String> cols = List.copyOf(row.keySet());
            String sql = "INSERT INTO " + g.dataset.name() + " (" + String.join(", ", cols) + ") VALUES ("
                    + String.join(", ", cols.stream().map(c -> "?").toList()) + ")";
            outside(sql, cols.stream().map(row::get).toList());
            g.added((String) row.get(g.dataset.key()), tenant);
        }

        void outsideUpdate(Gen g) throws SQLException {
            Gen.Ref ref = g.anyRef(rnd);
            List<Column> cols = g.valueColumns();
            Map<String, Object> set = new LinkedHashMap<>();
            int n = 1 + rnd.nextInt(3);
            for (int i = 0; i < n; i++) {
                Column c = cols.get(rnd.nextInt(cols.size()));
                set.put(c.name(), g.value(this, c));
            }
            List<Object> params = new ArrayList<>(set.values());
            params.add(ref.key());
            params.add(ref.tenant());
            outside("UPDATE " + g.dataset.name() + " SET " + String.join(", ", set.keySet().stream().map(c -> c + " = ?").toList())
                    + " WHERE " + g.dataset.key() + " = ? AND " + g.dataset.tenant() + " = ?", params);
        }

        void outsideDelete(Gen g) throws SQLException {
            Gen.Ref ref = g.anyRef(rnd);
            outside("DELETE FROM " + g.dataset.name() + " WHERE " + g.dataset.key() + " = ? AND " + g.dataset.tenant() + " = ?",
                    List.of(ref.key(), ref.tenant()));
            g.removed(ref);
        }

        /** An outside writer may move a row to another tenant, which the store's API refuses. */
        void outsideMoveTenant(Gen g) throws SQLException {
            Gen.Ref ref = g.anyRef(rnd);
            String tenant = TENANTS.get(rnd.nextInt(TENANTS.size()));
            if (g.has(new Gen.Ref(tenant, ref.key()))) {
                return; // that tenant has a row of this key already (or it is this row)
            }
            outside("UPDATE " + g.dataset.name() + " SET " + g.dataset.tenant() + " = ? WHERE " + g.dataset.key() + " = ? AND "
                    + g.dataset.tenant() + " = ?", List.of(tenant, ref.key(), ref.tenant()));
            g.removed(ref);
            g.added(ref.key(), tenant);
        }

        void outsideRekey(Gen g) throws SQLException {
            Gen.Ref ref = g.anyRef(rnd);
            String fresh = g.newKey(ref.tenant());
            outside("UPDATE " + g.dataset.name() + " SET " + g.dataset.key() + " = ? WHERE " + g.dataset.key() + " = ? AND "
                    + g.dataset.tenant() + " = ?", List.of(fresh, ref.key(), ref.tenant()));
            g.removed(ref);
            g.added(fresh, ref.tenant());
        }

        void outside(String sql, List<Object> params) throws SQLException {
            try (PreparedStatement ps = outside.prepareStatement(sql)) {
                for (int i = 0; i < params.size(); i++) {
                    Object v = params.get(i);
                    ps.setObject(i + 1, v instanceof Boolean b ? (b ? 1 : 0) : v);
                }
                ps.executeUpdate();
            }
        }

        /** Moves the clock forward, often across an hour, midnight, Monday or month boundary. */
        void jump() {
            jumps++;
            Instant now = clock.instant();
            int r = rnd.nextInt(100);
            Instant to;
            if (r < 35) {
                to = now.plusMillis(1 + rnd.nextInt(50 * 60_000));
            } else if (r < 60) {
                to = now.plusMillis(3_600_000L + rnd.nextInt(5 * 3_600_000));
            } else if (r < 70) {
                to = now.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS).plusMillis(rnd.nextInt(3) - 1 + (rnd.nextBoolean() ? 0 : 1));
            } else if (r < 85) {
                to = now.atZone(TEST_ZONE).toLocalDate().plusDays(1).atStartOfDay(TEST_ZONE).toInstant().plusMillis(rnd.nextInt(120_000));
            } else if (r < 93) {
                to = now.atZone(ZoneOffset.UTC).toLocalDate().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().plusMillis(rnd.nextInt(2));
            } else if (r < 97) {
                to = now.atZone(TEST_ZONE).toLocalDate().with(TemporalAdjusters.next(DayOfWeek.MONDAY)).atStartOfDay(TEST_ZONE)
                        .toInstant().plusMillis(rnd.nextInt(600_000));
            } else {
                to = now.atZone(TEST_ZONE).toLocalDate().withDayOfMonth(1).plusMonths(1).atStartOfDay(TEST_ZONE)
                        .toInstant().plusMillis(rnd.nextInt(600_000));
            }
            if (to.isAfter(now)) {
                clock.set(to);
            }
            if (rnd.nextInt(3) == 0) {
                engine.tick(); // sometimes changes arrive before the windows move, sometimes after
            }
        }

        // ----- checking ------------------------------------------------------------------------

        void check(int at) throws InterruptedException {
            checks++;
            writeOnRangeBounds();
            Position head = store.changes().head();
            if (!feed.awaitPosition(head, Duration.ofSeconds(60))) {
                fail("feed did not reach " + head + " (at " + feed.position() + "); seed=" + seed + " ops=" + at);
            }
            engine.tick();
            long now = clock.millis();
            StringBuilder diff = new StringBuilder();
            for (ViewKey k : keys) {
                LiveEngine.State state = engine.state(k);
                Map<String, Object> sql = engine.sqlValues(k, now);
                assertThat(state.widgets().keySet()).as("widgets of %s", k.topic()).isEqualTo(sql.keySet());
                Map<String, Object> deltaSide = folded.get(k);
                for (var e : sql.entrySet()) {
                    compared++;
                    Object live = state.widgets().get(e.getKey());
                    if (!Equality.sameValues(live, e.getValue())) {
                        diff.append("\n  ").append(k.topic()).append(" widget ").append(e.getKey())
                                .append("\n    live: ").append(clip(live))
                                .append("\n    sql:  ").append(clip(e.getValue()))
                                .append("\n    first difference: ").append(firstDifference(live, e.getValue(), ""));
                    } else if (!Equality.sameValues(unwrap(deltaSide.get(e.getKey())), live)) {
                        diff.append("\n  ").append(k.topic()).append(" widget ").append(e.getKey())
                                .append(" (published deltas disagree with the state)")
                                .append("\n    deltas: ").append(clip(deltaSide.get(e.getKey())))
                                .append("\n    state:  ").append(clip(live));
                    }
                }
            }
            checkRangeBounds(now, diff);
            if (!diff.isEmpty() && System.getProperty("switchboard.diff.trace") != null) {
                try (var ps = outside.prepareStatement("SELECT seq, tenant, op, row_key, before_row, after_row FROM sb_changes WHERE row_key = ? ORDER BY seq")) {
                    ps.setString(1, System.getProperty("switchboard.diff.trace"));
                    try (var rs = ps.executeQuery()) {
                        while (rs.next()) {
                            System.out.println("TRACE " + rs.getLong(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4) + "\n   before " + rs.getString(5) + "\n   after  " + rs.getString(6));
                        }
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
            if (!diff.isEmpty()) {
                fail("live differs from SQL after " + at + " ops (seed=" + seed + ", clock=" + clock.instant() + ", jumps=" + jumps
                        + "; rerun with -D" + SEED + "=" + seed + " -D" + OPS + "=" + at + "):" + diff);
            }
        }

        /**
         * The engine's SQL side reads its bounds from the same {@code Window} as its live side, so a
         * wrong bound would agree with itself: here the range dashboard's count over the range and
         * over its previous period is checked against bounds computed independently.
         */
        void checkRangeBounds(long now, StringBuilder diff) {
            for (ViewKey k : keys) {
                if (!k.dashboard().equals("diffrange") || !k.scope().isEmpty()) {
                    continue;
                }
                Map<String, Object> live = engine.state(k).widgets();
                String range = String.valueOf(k.params().get("range"));
                for (boolean previous : new boolean[] {false, true}) {
                    long[] b = expectedBounds(range, Instant.ofEpochMilli(now), previous);
                    long expected = countBetween(k.tenant(), b[0], b[1]);
                    String widget = previous ? "n.previous" : "n";
                    compared++;
                    if (!Long.valueOf(expected).equals(live.get(widget))) {
                        diff.append("\n  ").append(k.topic()).append(" widget ").append(widget).append(" over [")
                                .append(Instant.ofEpochMilli(b[0])).append(", ").append(b[1] == Long.MAX_VALUE ? "∞" : Instant.ofEpochMilli(b[1]))
                                .append("): live ").append(live.get(widget)).append(", independent SQL ").append(expected);
                    }
                }
            }
        }

        /**
         * Rows just before and at each bound of the range dashboard's views, current and previous
         * period, at the instant of the check: a bound one millisecond off cannot pass unseen.
         */
        void writeOnRangeBounds() {
            Gen events = gens.stream().filter(g -> g.dataset.name().equals("diff_events")).findFirst().orElseThrow();
            for (ViewKey k : keys) {
                if (!k.dashboard().equals("diffrange") || !k.scope().isEmpty()) {
                    continue;
                }
                List<Map<String, Object>> rows = new ArrayList<>();
                for (boolean previous : new boolean[] {false, true}) {
                    long[] b = expectedBounds(String.valueOf(k.params().get("range")), clock.instant(), previous);
                    for (long bound : b) {
                        for (long d = -1; d <= 0 && bound != Long.MAX_VALUE; d++) {
                            Map<String, Object> row = events.fullRow(this, events.newKey(k.tenant()), k.tenant());
                            row.put(events.dataset.time(), Times.format(Instant.ofEpochMilli(bound + d)));
                            if (rows.stream().noneMatch(r -> r.get(events.dataset.key()).equals(row.get(events.dataset.key())))) {
                                rows.add(row);
                            }
                        }
                    }
                }
                store.ingest(events.dataset, k.tenant(), rows);
                rows.forEach(r -> events.added((String) r.get(events.dataset.key()), k.tenant()));
            }
        }

        long countBetween(String tenant, long lower, long upper) {
            String sql = "SELECT count(*) FROM diff_events WHERE tenant_id = ? AND at >= ?" + (upper == Long.MAX_VALUE ? "" : " AND at < ?");
            try (PreparedStatement ps = outside.prepareStatement(sql)) {
                ps.setString(1, tenant);
                ps.setString(2, Times.format(Instant.ofEpochMilli(lower)));
                if (upper != Long.MAX_VALUE) {
                    ps.setString(3, Times.format(Instant.ofEpochMilli(upper)));
                }
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() throws Exception {
            feed.close();
            outside.close();
            store.close();
        }
    }

    /** [lower, upper) of a range at {@code now} (or of its previous period), by the calendar of the test zone. */
    static long[] expectedBounds(String range, Instant now, boolean previous) {
        var day = now.atZone(TEST_ZONE).toLocalDate();
        java.time.LocalDate start;
        java.time.LocalDate end;
        switch (range) {
            case "today" -> {
                start = previous ? day.minusDays(1) : day;
                end = start.plusDays(1);
            }
            case "this_week" -> {
                var monday = day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
                start = previous ? monday.minusDays(7) : monday;
                end = start.plusDays(7);
            }
            case "this_month" -> {
                var first = day.withDayOfMonth(1);
                start = previous ? first.minusMonths(1) : first;
                end = start.plusMonths(1);
            }
            default -> {
                if (range.contains("..")) {
                    long a = Instant.parse(range.substring(0, range.indexOf(".."))).toEpochMilli();
                    long b = Instant.parse(range.substring(range.indexOf("..") + 2)).toEpochMilli();
                    return previous ? new long[] {2 * a - b, a} : new long[] {a, b};
                }
                long n = Long.parseLong(range.substring(0, range.length() - 1));
                long span = switch (range.charAt(range.length() - 1)) {
                    case 'h' -> n * 3_600_000L;
                    case 'd' -> n * 86_400_000L;
                    default -> throw new IllegalArgumentException("unexpected range " + range);
                };
                long t = now.toEpochMilli();
                return previous ? new long[] {t - 2 * span, t - span} : new long[] {t - span, Long.MAX_VALUE};
            }
        }
        return new long[] {start.atStartOfDay(TEST_ZONE).toInstant().toEpochMilli(), end.atStartOfDay(TEST_ZONE).toInstant().toEpochMilli()};
    }

    /** Random rows for one dataset, from its declared types, allowed values and dashboard literals. */
    static final class Gen {
        final Dataset dataset;
        final Map<String, List<String>> pools = new HashMap<>();
        /** Rows are identified by tenant and key: keys are private to a tenant, and tenants reuse each other's. */
        record Ref(String tenant, String key) {}

        final List<Ref> live = new ArrayList<>();
        final Map<Ref, Integer> index = new HashMap<>();
        final List<Column> valueColumns;
        int next;

        Gen(Dataset dataset, Map<String, Set<String>> literals, Set<String> subjectFields) {
            this.dataset = dataset;
            for (Column c : dataset.columns().values()) {
                if (c.type() == ColumnType.TEXT && c.values().isEmpty()) {
                    Set<String> pool = new LinkedHashSet<>(literals.getOrDefault(c.name(), Set.of()));
                    if (subjectFields.contains(c.name())) {
                        pool.addAll(SUBJECTS);
                    }
                    pool.add("x-" + c.name());
                    pool.add("y-" + c.name());
                    pools.put(c.name(), List.copyOf(pool));
                }
            }
            valueColumns = dataset.columns().values().stream()
                    .filter(c -> !c.name().equals(dataset.key()) && !c.name().equals(dataset.tenant())).toList();
        }

        List<Column> valueColumns() {
            return valueColumns;
        }

        int size() {
            return live.size();
        }

        /** Keys of a lookup target: its new rows take a free one of these first. */
        List<String> keyPool;
        Random rnd;

        /**
         * A key new to {@code tenant}: a free one of the lookup pool first; else often one another
         * tenant uses (keys are private to a tenant, so tenants reuse each other's); else a fresh one.
         */
        String newKey(String tenant) {
            if (keyPool != null) {
                for (int i = 0; i < 12; i++) {
                    String k = keyPool.get(rnd.nextInt(keyPool.size()));
                    if (!has(new Ref(tenant, k))) {
                        return k;
                    }
                }
            }
            if (!live.isEmpty() && rnd.nextInt(4) == 0) {
                Ref other = anyRef(rnd);
                if (!has(new Ref(tenant, other.key()))) {
                    return other.key();
                }
            }
            return dataset.name().substring(0, Math.min(4, dataset.name().length())) + "-" + (next++);
        }

        boolean has(Ref ref) {
            return index.containsKey(ref);
        }

        void added(String key, String tenant) {
            Ref ref = new Ref(tenant, key);
            index.put(ref, live.size());
            live.add(ref);
        }

        void removed(Ref ref) {
            Integer i = index.remove(ref);
            Ref last = live.remove(live.size() - 1);
            if (!last.equals(ref)) {
                live.set(i, last);
                index.put(last, i);
            }
        }

        Ref anyRef(Random rnd) {
            return live.get(rnd.nextInt(live.size()));
        }

        /** Keeps the table small enough that SQL checks stay fast: deletes a few random rows. */
        void trim(Harness h) {
            if (live.size() > 2500) {
                for (int i = 0; i < 20; i++) {
                    Ref ref = anyRef(h.rnd);
                    h.store.delete(dataset, ref.tenant(), List.of(ref.key()));
                    removed(ref);
                }
            }
        }

        Map<String, Object> fullRow(Harness h, String key, String tenant) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (Column c : dataset.columns().values()) {
                Object v = c.name().equals(dataset.key()) ? key : c.name().equals(dataset.tenant()) ? tenant : value(h, c);
                if (v != null || h.rnd.nextBoolean()) {
                    row.put(c.name(), v); // sometimes an explicit null, sometimes an absent column
                }
            }
            return row;
        }

        Object value(Harness h, Column c) {
            Random rnd = h.rnd;
            if (!c.required() && rnd.nextInt(10) == 0) {
                return null;
            }
            if (c.name().equals(dataset.time())) {
                return time(h);
            }
            return switch (c.type()) {
                case TEXT -> c.values().isEmpty() ? pools.get(c.name()).get(rnd.nextInt(pools.get(c.name()).size()))
                        : c.values().get(rnd.nextInt(c.values().size()));
                case INTEGER -> {
                    long lo = (long) Math.max(0, c.min());
                    long hi = (long) Math.min(1000, c.max());
                    yield lo + (long) rnd.nextInt((int) (hi - lo + 1));
                }
                // quarters add up exactly in binary floating point, so sums carry no rounding residue
                case NUMBER -> {
                    double lo = Math.max(0, c.min());
                    double hi = Math.min(100, c.max());
                    yield lo + Math.floor(rnd.nextDouble() * (hi - lo) * 4) / 4.0;
                }
                case BOOLEAN -> rnd.nextBoolean();
                case TIME -> time(h);
                case JSON -> "{\"n\":" + rnd.nextInt(5) + "}";
            };
        }

        /** A time near now: recent, late, far back, upcoming, or exactly on a window or bucket edge. */
        static String time(Harness h) {
            Random rnd = h.rnd;
            Instant now = h.clock.instant();
            int r = rnd.nextInt(100);
            Instant t;
            if (r < 30) {
                t = now.minusMillis((long) (rnd.nextDouble() * 3 * 3_600_000L));
            } else if (r < 50) {
                t = now.minusMillis((long) (rnd.nextDouble() * 26 * 3_600_000L));
            } else if (r < 62) {
                t = now.minusMillis((long) (rnd.nextDouble() * 8 * 86_400_000L));
            } else if (r < 72) {
                t = now.minusMillis((long) (rnd.nextDouble() * 40 * 86_400_000L));
            } else if (r < 85) {
                t = now.plusMillis((long) (rnd.nextDouble() * 3 * 86_400_000L));
            } else {
                var day = now.atZone(TEST_ZONE).toLocalDate();
                Instant[] edges = {
                        now, now.minus(2, ChronoUnit.HOURS), now.minus(24, ChronoUnit.HOURS), now.minus(168, ChronoUnit.HOURS),
                        now.truncatedTo(ChronoUnit.HOURS), now.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS),
                        day.atStartOfDay(TEST_ZONE).toInstant(), day.plusDays(1).atStartOfDay(TEST_ZONE).toInstant(),
                        day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).atStartOfDay(TEST_ZONE).toInstant(),
                        day.withDayOfMonth(1).atStartOfDay(TEST_ZONE).toInstant(),
                        now.truncatedTo(ChronoUnit.DAYS), now.minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.HOURS),
                        // previous periods: of 2h, 24h and 7d, yesterday, last week, last month
                        now.minus(4, ChronoUnit.HOURS), now.minus(48, ChronoUnit.HOURS), now.minus(336, ChronoUnit.HOURS),
                        day.minusDays(1).atStartOfDay(TEST_ZONE).toInstant(),
                        day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).minusWeeks(1).atStartOfDay(TEST_ZONE).toInstant(),
                        day.withDayOfMonth(1).minusMonths(1).atStartOfDay(TEST_ZONE).toInstant(),
                        // the custom ranges' bounds, and their previous periods' starts
                        h.fixedEdges[0], h.fixedEdges[1], h.fixedEdges[2], h.fixedEdges[3], h.fixedEdges[4], h.fixedEdges[5],
                };
                t = edges[rnd.nextInt(edges.length)].plusMillis(rnd.nextInt(3) - 1);
            }
            return Times.format(t);
        }
    }

    // ----- definitions and packs ---------------------------------------------------------------

    /** Reads every shipped pack's datasets and dashboards from the classpath. */
    static List<Dataset> readPacks(Map<String, String> dashboards) throws Exception {
        URI uri = DifferentialTest.class.getClassLoader().getResource("packs").toURI();
        if (uri.getScheme().equals("jar")) {
            try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of())) {
                return readPacks(fs.getPath("/packs"), dashboards);
            }
        }
        return readPacks(Path.of(uri), dashboards);
    }

    private static List<Dataset> readPacks(Path root, Map<String, String> dashboards) throws IOException {
        List<Dataset> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted().toList()) {
                String rel = root.relativize(p).toString().replace('\\', '/');
                if (rel.endsWith("datasets.yaml")) {
                    out.addAll(DatasetCatalog.parse(Files.readString(p), "packs/" + rel));
                } else if (rel.contains("/dashboards/") && (rel.endsWith(".yaml") || rel.endsWith(".yml"))) {
                    dashboards.put("packs/" + rel, Files.readString(p));
                }
            }
        }
        assertThat(dashboards).as("shipped dashboards").isNotEmpty();
        return out;
    }

    private static final Pattern CONDITION = Pattern.compile("\\((\\w+)\\s*(?:=|\\s+in\\s+)\\s*([^)]+)\\)");

    /** Values that filters and column expressions compare text fields with, so generated rows hit them. */
    static void collectLiterals(JsonNode widget, Map<String, Set<String>> out) {
        for (String f : List.of("where", "numerator")) {
            collectFilter(widget.path(f), out);
        }
        List<String> exprs = new ArrayList<>();
        for (String f : List.of("stat", "series")) {
            if (widget.path(f).isString()) {
                exprs.add(widget.path(f).asString());
            }
        }
        widget.path("columns").properties().forEach(c -> exprs.add(c.getValue().asString()));
        for (String e : exprs) {
            Matcher m = CONDITION.matcher(e);
            while (m.find()) {
                for (String v : m.group(2).split("\\|")) {
                    out.computeIfAbsent(m.group(1), k -> new LinkedHashSet<>()).add(v.trim());
                }
            }
        }
    }

    private static void collectFilter(JsonNode node, Map<String, Set<String>> out) {
        if (node.isArray()) {
            node.forEach(n -> collectFilter(n, out));
            return;
        }
        if (!node.isObject()) {
            return;
        }
        for (var e : node.properties()) {
            switch (e.getKey()) {
                case "and", "or", "not" -> collectFilter(e.getValue(), out);
                default -> collectValues(e.getKey(), e.getValue(), out);
            }
        }
    }

    private static void collectValues(String field, JsonNode v, Map<String, Set<String>> out) {
        if (v.isObject() || v.isArray()) {
            v.forEach(x -> collectValues(field, x, out));
        } else if (v.isString() && !v.asString().contains("${")) {
            out.computeIfAbsent(field, k -> new LinkedHashSet<>()).add(v.asString());
        }
    }

    /** Fields a scope binds to the viewer's subject, in either scope form (flat or per dataset). */
    private static void collectScope(JsonNode scope, Set<String> subjectFields, Map<String, Set<String>> literals) {
        for (var e : scope.properties()) {
            JsonNode v = e.getValue();
            if (v.isString() && v.asString().contains("${sub}")) {
                subjectFields.add(e.getKey());
            } else if (v.isObject()) {
                collectScope(v, subjectFields, literals);
                collectFilter(v, literals);
            }
        }
    }

    // ----- reporting ---------------------------------------------------------------------------

    static Map<String, Object> nullSafe(Map<String, Object> widgets) {
        Map<String, Object> out = new HashMap<>();
        widgets.forEach((k, v) -> out.put(k, v == null ? NULL : v));
        return out;
    }

    /** ConcurrentHashMap holds no nulls; a null widget value is kept as this marker. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    static Object unwrap(Object v) {
        return v == NULL ? null : v;
    }

    static String clip(Object v) {
        String s = String.valueOf(v == NULL ? null : v);
        return s.length() > 4000 ? s.substring(0, 4000) + "...(" + s.length() + " chars)" : s;
    }

    static String firstDifference(Object a, Object b, String path) {
        if (a instanceof Map<?, ?> m && b instanceof Map<?, ?> n) {
            Set<Object> all = new LinkedHashSet<>(m.keySet());
            all.addAll(n.keySet());
            for (Object k : all) {
                if (!m.containsKey(k) || !n.containsKey(k)) {
                    return path + "." + k + ": live " + (m.containsKey(k) ? m.get(k) : "(absent)") + ", sql " + (n.containsKey(k) ? n.get(k) : "(absent)");
                }
                if (!Equality.sameValues(m.get(k), n.get(k))) {
                    return firstDifference(m.get(k), n.get(k), path + "." + k);
                }
            }
        }
        if (a instanceof List<?> l && b instanceof List<?> r) {
            for (int i = 0; i < Math.min(l.size(), r.size()); i++) {
                if (!Equality.sameValues(l.get(i), r.get(i))) {
                    return firstDifference(l.get(i), r.get(i), path + "[" + i + "]");
                }
            }
            return path + ": live has " + l.size() + " items, sql " + r.size();
        }
        return (path.isEmpty() ? "value" : path) + ": live " + a + ", sql " + b;
    }
}
