package dev.switchboard.bench;

import dev.switchboard.change.Change;
import dev.switchboard.change.ChangeFeed;
import dev.switchboard.change.Op;
import dev.switchboard.change.Position;
import dev.switchboard.change.Row;
import dev.switchboard.change.Times;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.dataset.DatasetCatalog;
import dev.switchboard.live.Definitions;
import dev.switchboard.live.LiveEngine;
import dev.switchboard.live.ViewKey;
import dev.switchboard.store.sqlite.SqliteStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Cost per change of the live engine against table size (invariant 5: work per change is O(1)
 * in table size). For each N it loads N call_logs rows into a fresh SQLite file (one transaction,
 * capture triggers off), bootstraps the calls dashboard for a tenant holding 10% of the rows
 * spread over a year, then times only {@link LiveEngine#onChanges} over M synthetic changes
 * (new calls, calls ending, late edits of old calls, other tenants' traffic), built up front.
 *
 * <pre>
 *   ./switchboard bench                      10k 100k 1m
 *   ./switchboard bench 10k 100k 1m 10m      adds the 10M step (a few minutes of loading)
 *   ./switchboard bench --changes 100000 --runs 7 --batch 512
 *   ./switchboard bench fanout [--quick] [--help]   fan-out vs Socket.IO (package fanout)
 *   ./switchboard bench memory                      heap and RSS per idle SSE subscriber
 *   ./switchboard bench abuse [--quick]             issue 12's abusive clients at once; honest latency, health, heap
 *   ./switchboard bench browser [--seconds 20]      the dashboard page in Chromium at 10 and 100 events/s: frames, long tasks
 * </pre>
 */
public final class Bench {
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    static final long YEAR = 365L * 86_400_000L;
    static final String[] OUTCOMES = {"completed", "no_answer", "busy", "failed", "voicemail"};
    static final int TENANTS = 10; // the measured tenant t0 holds every 10th row

    private Bench() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("fanout")) {
            // ./switchboard bench fanout [--quick] [...]: Switchboard vs Socket.IO fan-out, separate processes
            dev.switchboard.bench.fanout.FanoutBench.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("memory")) {
            // ./switchboard bench memory [...]: heap and RSS per idle SSE subscriber
            dev.switchboard.bench.fanout.MemoryBench.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("scale")) {
            // ./switchboard bench scale [...]: one capture, several edges on NATS JetStream, N subscribers (issue 11)
            dev.switchboard.bench.fanout.ScaleBench.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("abuse")) {
            // ./switchboard bench abuse [--seconds N] [--scale X] [--quick]: issue 12's abusive clients at once, honest latency
            dev.switchboard.bench.abuse.AbuseBench.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("browser")) {
            // ./switchboard bench browser [--seconds N] [--rates 10,100]: the dashboard page's frames and long tasks in Chromium
            BrowserBench.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("pg")) {
            // ./switchboard bench pg [writers] [seconds] [clients]: capture on PostgreSQL
            PgBench.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        List<Long> sizes = new ArrayList<>();
        int changes = 50_000;
        int runs = 5;
        int batch = 512;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--changes" -> changes = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                default -> sizes.add(size(args[i]));
            }
        }
        if (sizes.isEmpty()) {
            sizes = List.of(10_000L, 100_000L, 1_000_000L);
        }
        System.out.printf("Switchboard live-engine bench: %d changes per run, median of %d runs, batches of %d; JDK %s, %d CPUs, max heap %d MB%n",
                changes, runs, batch, Runtime.version(), Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        System.out.println("warm-up pass (N=10,000, not reported)...");
        run(10_000, changes, runs, batch);
        List<String[]> table = new ArrayList<>();
        for (long n : sizes) {
            table.add(run(n, changes, runs, batch));
        }
        String[] head = {"rows (N)", "tenant rows", "in 24h window", "load s", "bootstrap ms", "ns/change (median)", "min..max", "heap used MB"};
        System.out.println();
        print(head, table);
    }

    static long size(String s) {
        String t = s.toLowerCase(Locale.ROOT);
        long mult = t.endsWith("k") ? 1_000 : t.endsWith("m") ? 1_000_000 : 1;
        return Long.parseLong(mult == 1 ? t : t.substring(0, t.length() - 1)) * mult;
    }

    static String[] run(long n, int changes, int runs, int batch) throws Exception {
        Path dir = Files.createTempDirectory("switchboard-bench");
        try {
            Dataset calls = DatasetCatalog.parse(resource("packs/calls/datasets.yaml"), "packs/calls/datasets.yaml").get(0);
            DatasetCatalog catalog = DatasetCatalog.of(List.of(calls));
            Definitions defs = Definitions.load(Map.of("packs/calls/dashboards/calls.yaml", resource("packs/calls/dashboards/calls.yaml")), catalog);
            Path file = dir.resolve("bench.db");
            try (SqliteStore store = SqliteStore.open(file)) {
                store.migrate(List.of(calls));
                long t0 = System.nanoTime();
                load(file, n);
                store.migrate(List.of(calls)); // reinstalls the capture triggers
                double loadSeconds = (System.nanoTime() - t0) / 1e9;

                ChangeFeed feed = new ChangeFeed(store.changes(), store.changes().head()); // not started: we drive it
                LiveEngine engine = new LiveEngine(defs, catalog, store, Clock.fixed(NOW, ZoneOffset.UTC), feed, (k, p, w) -> { });
                ViewKey key = defs.key(defs.find("calls").orElseThrow(), "t0", "", "", Map.of());
                long b0 = System.nanoTime();
                engine.open(List.of(key), true, s -> null).join();
                double bootstrapMs = (System.nanoTime() - b0) / 1e6;

                Workload w = new Workload(n, store.changes().head());
                double[] nsPerChange = new double[runs];
                for (int r = -1; r < runs; r++) { // run -1 warms the JIT up
                    List<List<Change>> batches = w.next(changes, batch);
                    long s = System.nanoTime();
                    for (List<Change> b : batches) {
                        feed.await(() -> {
                            engine.onChanges(b);
                            return null;
                        }, java.time.Duration.ofMinutes(1));
                    }
                    long elapsed = System.nanoTime() - s;
                    if (r >= 0) {
                        nsPerChange[r] = (double) elapsed / changes;
                    }
                }
                Arrays.sort(nsPerChange);
                System.gc();
                Thread.sleep(200);
                long heap = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
                long tenantRows = (n + TENANTS - 1) / TENANTS;
                System.out.printf("N=%,d: loaded in %.1f s, bootstrap %.1f ms, %.0f ns/change (runs %s)%n", n, loadSeconds, bootstrapMs,
                        nsPerChange[runs / 2], Arrays.toString(Arrays.stream(nsPerChange).mapToLong(Math::round).toArray()));
                return new String[] {
                        String.format("%,d", n), String.format("%,d", tenantRows), String.format("~%,d", Math.round(tenantRows * 86_400_000.0 / YEAR)),
                        String.format("%.1f", loadSeconds), String.format("%.1f", bootstrapMs), String.format("%,.0f", nsPerChange[runs / 2]),
                        String.format("%,.0f..%,.0f", nsPerChange[0], nsPerChange[runs - 1]), String.valueOf(heap >> 20)};
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    // ----- loading -------------------------------------------------------------------------------

    /** Bulk insert with the capture triggers dropped, so the change log stays empty. */
    static void load(Path file, long n) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath())) {
            try (var st = c.createStatement()) {
                st.execute("PRAGMA busy_timeout = 10000");
                st.execute("PRAGMA synchronous = OFF");
                st.execute("PRAGMA cache_size = -262144");
                for (String s : List.of("i", "u", "m", "d")) {
                    st.execute("DROP TRIGGER IF EXISTS sb_capture_call_logs_" + s);
                }
            }
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO call_logs (id, user_id, agent_config_id, phone_number, direction,"
                    + " status, outcome, started_at, ended_at, duration) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (long i = 0; i < n; i++) {
                    Map<String, Object> r = bulkRow(i);
                    int p = 1;
                    for (String col : List.of("id", "user_id", "agent_config_id", "phone_number", "direction", "status", "outcome",
                            "started_at", "ended_at", "duration")) {
                        ps.setObject(p++, r.get(col));
                    }
                    ps.addBatch();
                    if (i % 10_000 == 9_999) {
                        ps.executeBatch();
                    }
                }
                ps.executeBatch();
            }
            c.commit();
        }
    }

    /** Row i of the bulk load, a pure function of i, so updates can name its before image without storing it. */
    static Map<String, Object> bulkRow(long i) {
        long h = mix(i);
        long started = NOW.toEpochMilli() - 3_600_000L - Math.floorMod(h, YEAR);
        long duration = Math.floorMod(h >>> 20, 600);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", "c" + i);
        r.put("user_id", "t" + (i % TENANTS));
        r.put("agent_config_id", "agent-" + Math.floorMod(h >>> 8, 20));
        r.put("phone_number", "+1555" + (1_000_000 + i % 1_000_000));
        r.put("direction", (h & 1) == 0 ? "inbound" : "outbound");
        r.put("status", "ended");
        r.put("outcome", OUTCOMES[(int) Math.floorMod(h >>> 32, OUTCOMES.length)]);
        r.put("started_at", Times.format(Instant.ofEpochMilli(started)));
        r.put("ended_at", Times.format(Instant.ofEpochMilli(started + duration * 1000)));
        r.put("duration", duration);
        return r;
    }

    static long mix(long x) {
        x += 0x9E3779B97F4A7C15L;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }

    static Row image(Map<String, Object> values) {
        Map<String, Object> full = new HashMap<>();
        for (String c : List.of("id", "user_id", "agent_config_id", "phone_number", "direction", "status", "outcome", "started_at",
                "ended_at", "duration", "livekit_room_name", "recording_url", "metadata")) {
            full.put(c, values.get(c));
        }
        return Row.of(full);
    }

    // ----- changes -------------------------------------------------------------------------------

    /**
     * Realistic traffic: 40% new calls of t0, 30% t0 calls ending, 15% late edits of old t0 rows
     * (outcome changes that move them across groups), 15% other tenants' calls.
     */
    static final class Workload {
        final long n;
        final Random rnd = new Random(42);
        final String epoch;
        long seq;
        long nextId;
        final List<Row> active = new ArrayList<>();
        final Map<Long, Row> edited = new HashMap<>();

        Workload(long n, Position head) {
            this.n = n;
            this.epoch = head.epoch();
            this.seq = head.seq();
        }

        List<List<Change>> next(int count, int batch) {
            List<List<Change>> out = new ArrayList<>();
            List<Change> cur = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                cur.add(change());
                if (cur.size() == batch) {
                    out.add(cur);
                    cur = new ArrayList<>();
                }
            }
            if (!cur.isEmpty()) {
                out.add(cur);
            }
            return out;
        }

        Change change() {
            int r = rnd.nextInt(100);
            if (r < 40 || r < 70 && active.isEmpty()) {
                return create("t0");
            }
            if (r < 70) {
                Row before = active.remove(rnd.nextInt(active.size()));
                Map<String, Object> after = new HashMap<>(before.values());
                long duration = 5 + rnd.nextInt(600);
                after.put("status", "ended");
                after.put("outcome", OUTCOMES[rnd.nextInt(OUTCOMES.length)]);
                after.put("duration", duration);
                after.put("ended_at", Times.format(NOW));
                return update("t0", before, image(after));
            }
            if (r < 85) {
                long i = (Math.floorMod(rnd.nextLong(), Math.max(1, n / TENANTS))) * TENANTS; // a t0 row of the bulk load
                Row before = edited.getOrDefault(i, image(bulkRow(i)));
                Map<String, Object> after = new HashMap<>(before.values());
                after.put("outcome", OUTCOMES[rnd.nextInt(OUTCOMES.length)]);
                Row a = image(after);
                edited.put(i, a);
                return update("t0", before, a);
            }
            return create("t" + (1 + rnd.nextInt(TENANTS - 1)));
        }

        Change create(String tenant) {
            long started = NOW.toEpochMilli() - rnd.nextInt(600_000);
            Map<String, Object> r = new HashMap<>();
            r.put("id", "n" + (nextId++));
            r.put("user_id", tenant);
            r.put("agent_config_id", "agent-" + rnd.nextInt(20));
            r.put("phone_number", "+1555" + rnd.nextInt(1_000_000));
            r.put("direction", rnd.nextBoolean() ? "inbound" : "outbound");
            r.put("status", "active");
            r.put("started_at", Times.format(Instant.ofEpochMilli(started)));
            Row after = image(r);
            if (tenant.equals("t0")) {
                active.add(after);
            }
            return new Change(new Position(epoch, ++seq), tenant, "call_logs", Op.CREATE, (String) r.get("id"), Row.NONE, after, NOW);
        }

        Change update(String tenant, Row before, Row after) {
            return new Change(new Position(epoch, ++seq), tenant, "call_logs", Op.UPDATE, (String) after.raw("id"), before, after, NOW);
        }
    }

    // ----- output --------------------------------------------------------------------------------

    static String resource(String path) {
        try (InputStream in = Bench.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void print(String[] head, List<String[]> rows) {
        int[] w = new int[head.length];
        for (int i = 0; i < head.length; i++) {
            w[i] = head[i].length();
            for (String[] r : rows) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder("|");
        StringBuilder rule = new StringBuilder("|");
        for (int i = 0; i < head.length; i++) {
            sb.append(' ').append(pad(head[i], w[i])).append(" |");
            rule.append(i == 0 ? ":" : "-").append("-".repeat(w[i])).append(i == 0 ? "-|" : ":|");
        }
        System.out.println(sb);
        System.out.println(rule);
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder("|");
            for (int i = 0; i < r.length; i++) {
                line.append(' ').append(i == 0 ? pad(r[i], w[i]) : lpad(r[i], w[i])).append(" |");
            }
            System.out.println(line);
        }
    }

    static String pad(String s, int w) {
        return s + " ".repeat(w - s.length());
    }

    static String lpad(String s, int w) {
        return " ".repeat(w - s.length()) + s;
    }
}
