package dev.switchboard.bench;

import dev.switchboard.Config;
import dev.switchboard.Switchboard;
import dev.switchboard.pg.PgDatabase;
import dev.switchboard.pg.Sse;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.json.JsonMapper;

/**
 * PostgreSQL capture benchmark, loopback only: a Switchboard node in this JVM on a fresh
 * database; N writer threads (JDBC, one connection each) commit transactions for a fixed time;
 * SSE clients (raw sockets, platform threads) watch the tenant's dataset and dashboard. Single
 * writers commit one {@code call_logs} insert per transaction; bulk writers commit
 * {@code --rows} inserts (one JDBC batch) per transaction. Reports commits/s, changes delivered
 * per second per client, the latency from the writer's call to {@code commit()} to the arrival of
 * the {@code change} event, and CPU: the server's (this JVM minus the writer and client threads),
 * the load generator's (writer and client threads), and PostgreSQL's (the writers' backends and
 * the capture's walsender), each in percent of one core.
 *
 * <pre>java -cp ... dev.switchboard.bench.PgBench [writers,..] [seconds] [clients] [watch] [--bulk W,..] [--rows R] [--queue N]</pre>
 *
 * Defaults: {@code 4,8,16 10 1 datasets=call_logs&dashboards=calls --bulk 1,2,4 --rows 100}
 * ({@code --bulk 0} skips the bulk phases). Every committed change must reach every client:
 * the run fails (exit 1) when one is missing after the drain. With {@code -Dbench.feedProbe=true}
 * it also prints the latency from commit to the change feed's dispatch (before the hub and SSE).
 * Needs the PostgreSQL of {@code .ci/setup-postgres.sh} ({@code SWITCHBOARD_PG_URL} overrides the
 * admin URL); creates and drops its own database.
 */
public final class PgBench {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final Map<String, Long> FEED = new ConcurrentHashMap<>();
    /** Events other than changes and dashboard deltas per type (a resynchronized slow client gets a new snapshot). */
    static final Map<String, Long> OTHER_EVENTS = new ConcurrentHashMap<>();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** CPU in nanoseconds over a phase: this JVM, its writer and client threads, PostgreSQL's processes for it, the machine. */
    record Cpu(long jvm, long generator, long pgBackends, long walsender, double machineBusy) {
        double pct(long nanos, double seconds) {
            return 100.0 * nanos / 1e9 / seconds;
        }
    }

    record Result(String kind, int writers, int rows, double seconds, double caughtUp, long commits, long changes, long delivered, long missing,
                  long[] latenciesMicros, Cpu cpu) {
        long pct(double p) {
            if (latenciesMicros.length == 0) {
                return -1;
            }
            return latenciesMicros[(int) Math.min(latenciesMicros.length - 1, Math.ceil(p * latenciesMicros.length) - 1)];
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> positional = new ArrayList<>();
        String bulk = "1,2,4";
        String queueSize = "";
        int rows = 100;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bulk" -> bulk = args[++i];
                case "--queue" -> queueSize = args[++i];
                case "--rows" -> rows = Integer.parseInt(args[++i]);
                default -> positional.add(args[i]);
            }
        }
        int[] writerCounts = counts(positional.size() > 0 ? positional.get(0) : "4,8,16");
        int seconds = positional.size() > 1 ? Integer.parseInt(positional.get(1)) : 10;
        int clients = positional.size() > 2 ? Integer.parseInt(positional.get(2)) : 1;
        String watch = positional.size() > 3 ? positional.get(3) : "datasets=call_logs&dashboards=calls";
        int[] bulkCounts = counts(bulk);
        // --queue N: the measured clients' stream queue (sse-queue); the default is the server's. A client sharing two
        // cores with PostgreSQL lags by a second at 20,000 changes/s, which overflows 1,024 queued events
        Map<String, String> queue = queueSize.isEmpty() ? Map.of() : Map.of("sse-queue", queueSize);
        Path dir = Files.createTempDirectory("pgbench");
        List<Result> results = new ArrayList<>();
        try (PgDatabase db = PgDatabase.create("bench");
             Switchboard sb = Switchboard.start(new Config(false, "127.0.0.1", 0, dir, Optional.of(db.url), 0, Optional.empty(),
                     Optional.empty(), true, "bench").with(queue), Clock.systemUTC())) {
            if (Boolean.getBoolean("bench.feedProbe")) {
                sb.feed().addListener(batch -> {
                    long now = System.nanoTime();
                    batch.forEach(c -> FEED.put(c.key(), now));
                });
            }
            // JIT warm-up: an unreported phase, so the first measured phase is not the cold one
            Result warm = phase(db, sb.port(), "warmup", 4, 1, WARMUP_SECONDS, clients, watch);
            System.out.printf("warm-up (%d s, 4 writers, not reported): %.0f commits/s%n", WARMUP_SECONDS, warm.commits() / warm.seconds());
            int phase = 0;
            for (int writers : writerCounts) {
                results.add(report(phase(db, sb.port(), "p" + phase++, writers, 1, seconds, clients, watch), clients));
            }
            for (int writers : bulkCounts) {
                if (writers > 0) {
                    results.add(report(phase(db, sb.port(), "p" + phase++, writers, rows, seconds, clients, watch), clients));
                }
            }
        }
        System.out.println();
        System.out.println("| writers | rows/txn | duration | commits/s | changes/s committed | delivered/s (per client) | last arrival | delivered/s until it | p50 | p99 | max | missing "
                + "| server CPU | generator CPU | PG backends CPU | walsender CPU | machine busy |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Result r : results) {
            double s = r.seconds();
            Cpu c = r.cpu();
            System.out.printf("| %d | %d | %.1f s | %.0f | %.0f | %.0f | %.1f s | %.0f | %.2f ms | %.2f ms | %.2f ms | %d | %.0f%% | %.0f%% | %.0f%% | %.0f%% | %.0f%% |%n",
                    r.writers(), r.rows(), s, r.commits() / s, r.changes() / s, r.delivered() / s / clients, r.caughtUp(),
                    r.delivered() / Math.max(s, r.caughtUp()) / clients, r.pct(0.50) / 1000.0,
                    r.pct(0.99) / 1000.0, r.pct(1.0) / 1000.0, r.missing(), c.pct(c.jvm() - c.generator(), s), c.pct(c.generator(), s),
                    c.pct(c.pgBackends(), s), c.pct(c.walsender(), s), c.machineBusy());
        }
        long missing = results.stream().mapToLong(Result::missing).sum();
        if (missing > 0) {
            System.out.println("FAILED: " + missing + " committed changes never reached a client (delivered != committed)");
            System.exit(1);
        }
        System.out.println("delivered = committed in every phase (every committed change reached every client once)");
    }

    /**
     * The change's key, found in the event's text: the bench's keys hold no quote or escape, and
     * the generator must not spend the cores it measures parsing every event (a full JSON parse
     * per change was a third of this JVM's samples at 20,000 changes/s).
     */
    static String key(String data) {
        int at = data.indexOf("\"key\":\"");
        if (at < 0) {
            return JSON.readTree(data).path("key").asString();
        }
        int from = at + 7;
        return data.substring(from, data.indexOf('"', from));
    }

    private static int[] counts(String list) {
        return Arrays.stream(list.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    private static Result report(Result r, int clients) {
        System.out.printf("writers=%d rows/txn=%d: %.0f commits/s, %.0f changes/s, %.0f delivered/s per client, p50 %d us, p99 %d us, "
                        + "max %d us, missing %d%n", r.writers(), r.rows(), r.commits() / r.seconds(), r.changes() / r.seconds(),
                r.delivered() / r.seconds() / clients, r.pct(0.50), r.pct(0.99), r.pct(1.0), r.missing());
        return r;
    }

    static final int WARMUP_SECONDS = 5;

    private static Result phase(PgDatabase db, int port, String tenant, int writers, int rows, int seconds, int clients, String watch)
            throws Exception {
        Map<String, Long> committedAt = new ConcurrentHashMap<>();
        List<Map<String, Long>> arrivals = new ArrayList<>();
        List<Sse> streams = new ArrayList<>();
        CountDownLatch subscribed = new CountDownLatch(clients);
        for (int i = 0; i < clients; i++) {
            Map<String, Long> arrived = new ConcurrentHashMap<>();
            arrivals.add(arrived);
            streams.add(new Sse(port, "/api/events/" + tenant + "?" + watch, null, e -> {
                if (!e.type().equals("change") && !e.type().equals("delta")) {
                    OTHER_EVENTS.merge(e.type(), 1L, Long::sum);
                    if (e.type().equals("reset")) {
                        // why: a dataset beyond every replay source, or a dashboard snapshot flagged reset
                        OTHER_EVENTS.merge("reset: " + JSON.readTree(e.data()).path("reason").asString(), 1L, Long::sum);
                    }
                }
                if (e.type().equals("snapshot")) {
                    subscribed.countDown();
                } else if (e.type().equals("change")) {
                    arrived.put(key(e.data()), e.arrivedNanos());
                }
            }));
        }
        if (!watch.contains("dashboards=")) {
            Thread.sleep(500); // a dataset-only stream sends no opening event; give it time to register
            while (subscribed.getCount() > 0) {
                subscribed.countDown();
            }
        }
        if (!subscribed.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("SSE clients did not get their snapshot");
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong commits = new AtomicLong();
        AtomicLong writerCpu = new AtomicLong();
        AtomicLong backendCpu = new AtomicLong();
        CountDownLatch started = new CountDownLatch(writers);
        List<Thread> threads = new ArrayList<>();
        String startedAt = Instant.now().toString();
        for (int w = 0; w < writers; w++) {
            int id = w;
            threads.add(Thread.ofPlatform().name("bench-writer-" + w).start(() -> {
                // bulk writers batch as bulk loaders do: the driver sends a batch as multi-row INSERTs
                try (Connection c = rows == 1 ? db.connect()
                        : java.sql.DriverManager.getConnection(db.url + (db.url.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true");
                     PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO call_logs (id, user_id, agent_config_id, status, started_at, duration) VALUES (?, ?, ?, 'active', ?::timestamptz, 0)")) {
                    c.setAutoCommit(false);
                    long backend = backendPid(c);
                    long backendAtStart = ProcStat.cpuNanos(backend);
                    long cpuAtStart = THREADS.getCurrentThreadCpuTime();
                    started.countDown();
                    String[] keys = new String[rows];
                    for (long n = 0; !stop.get(); n++) {
                        for (int r = 0; r < rows; r++) {
                            keys[r] = tenant + "-" + id + "-" + n + "-" + r;
                            ps.setString(1, keys[r]);
                            ps.setString(2, tenant);
                            ps.setString(3, "agent-" + id);
                            ps.setString(4, startedAt);
                            if (rows == 1) {
                                ps.executeUpdate();
                            } else {
                                ps.addBatch();
                            }
                        }
                        if (rows > 1) {
                            ps.executeBatch();
                        }
                        long at = System.nanoTime();
                        for (String k : keys) {
                            committedAt.put(k, at);
                        }
                        c.commit();
                        commits.incrementAndGet();
                    }
                    writerCpu.addAndGet(THREADS.getCurrentThreadCpuTime() - cpuAtStart);
                    backendCpu.addAndGet(ProcStat.cpuNanos(backend) - backendAtStart);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        started.await(30, TimeUnit.SECONDS);
        long walsender = walsenderPid(db);
        long walsenderAtStart = ProcStat.cpuNanos(walsender);
        long jvmAtStart = OS.getProcessCpuTime();
        long clientsAtStart = clientCpu();
        long[] machineAtStart = ProcStat.machine();
        long t0 = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        // the machine over the writing phase alone: a drain that waits for changes a reset dropped is idle time
        long[] machineAtEnd = ProcStat.machine();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (arrivals.stream().anyMatch(a -> a.size() < committedAt.size()) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        // CPU over the phase and its drain (what the server did for the phase's changes)
        Cpu cpu = new Cpu(OS.getProcessCpuTime() - jvmAtStart, writerCpu.get() + clientCpu() - clientsAtStart, backendCpu.get(),
                ProcStat.cpuNanos(walsender) - walsenderAtStart,
                100.0 * (machineAtEnd[0] - machineAtStart[0]) / Math.max(1, machineAtEnd[1] - machineAtStart[1]));
        for (Sse s : streams) {
            s.close();
        }
        List<Long> lat = new ArrayList<>();
        long missing = 0;
        long delivered = 0;
        // when the last change of the phase arrived: delivered / that is the rate capture sustained
        long lastArrival = arrivals.stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).max().orElse(t0);
        for (Map<String, Long> arrived : arrivals) {
            for (Map.Entry<String, Long> e : committedAt.entrySet()) {
                Long at = arrived.get(e.getKey());
                if (at == null) {
                    missing++;
                } else {
                    delivered++;
                    lat.add(Math.max(0, TimeUnit.NANOSECONDS.toMicros(at - e.getValue())));
                }
            }
        }
        System.out.println("  events besides changes and deltas: " + OTHER_EVENTS);
        OTHER_EVENTS.clear();
        if (!FEED.isEmpty()) {
            long[] f = committedAt.entrySet().stream().filter(e -> FEED.containsKey(e.getKey()))
                    .mapToLong(e -> TimeUnit.NANOSECONDS.toMicros(FEED.get(e.getKey()) - e.getValue())).sorted().toArray();
            System.out.printf("  commit -> feed dispatch: p50 %d us, p99 %d us, max %d us%n", f[f.length / 2], f[(int) (f.length * 0.99)], f[f.length - 1]);
            FEED.clear();
        }
        long[] sorted = lat.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Result(rows == 1 ? "single" : "bulk", writers, rows, elapsed, (lastArrival - t0) / 1e9, commits.get(), committedAt.size(), delivered, missing,
                sorted, cpu);
    }

    /** CPU time of the SSE client threads (platform threads named sse-client), in nanoseconds. */
    private static long clientCpu() {
        long sum = 0;
        for (java.lang.management.ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t != null && t.getThreadName().equals("sse-client")) {
                sum += Math.max(0, THREADS.getThreadCpuTime(t.getThreadId()));
            }
        }
        return sum;
    }

    private static long backendPid(Connection c) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            long pid = rs.getLong(1);
            c.commit();
            return pid;
        }
    }

    /** The walsender streaming this database to the capture; 0 when none is found. */
    private static long walsenderPid(PgDatabase db) {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT pid FROM pg_stat_activity WHERE backend_type = 'walsender' AND datname = current_database() ORDER BY backend_start DESC LIMIT 1")) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (Exception e) {
            return 0;
        }
    }

}
