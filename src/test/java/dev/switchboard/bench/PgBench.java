package dev.switchboard.bench;

import dev.switchboard.Config;
import dev.switchboard.Switchboard;
import dev.switchboard.pg.PgDatabase;
import dev.switchboard.pg.Sse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
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
 * database; N writer threads (JDBC, one connection each) commit small transactions (one
 * {@code call_logs} insert each) for a fixed time; SSE clients (raw sockets) watch the tenant's
 * dataset and dashboard. Reports commits/s, changes delivered per second per client, and the
 * latency from the writer's call to {@code commit()} to the arrival of the {@code change} event.
 *
 * <pre>java -cp target/classes:target/test-classes:$(deps) dev.switchboard.bench.PgBench [writers,..] [seconds] [clients] [watch]</pre>
 *
 * Defaults: {@code 4,8,16 10 1 datasets=call_logs&dashboards=calls}. With {@code -Dbench.feedProbe=true} it also
 * prints the latency from commit to the change feed's dispatch (before the hub and SSE), to split the total. Needs the PostgreSQL of {@code .ci/setup-postgres.sh}
 * ({@code SWITCHBOARD_PG_URL} overrides the admin URL); creates and drops its own database.
 */
public final class PgBench {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final Map<String, Long> FEED = new ConcurrentHashMap<>();

    record Result(int writers, double seconds, long commits, long delivered, long missing, long[] latenciesMicros) {
        long pct(double p) {
            if (latenciesMicros.length == 0) {
                return -1;
            }
            return latenciesMicros[(int) Math.min(latenciesMicros.length - 1, Math.ceil(p * latenciesMicros.length) - 1)];
        }
    }

    public static void main(String[] args) throws Exception {
        int[] writerCounts = Arrays.stream((args.length > 0 ? args[0] : "4,8,16").split(",")).mapToInt(Integer::parseInt).toArray();
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int clients = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        String watch = args.length > 3 ? args[3] : "datasets=call_logs&dashboards=calls";
        Path dir = Files.createTempDirectory("pgbench");
        List<Result> results = new ArrayList<>();
        try (PgDatabase db = PgDatabase.create("bench");
             Switchboard sb = Switchboard.start(new Config(false, "127.0.0.1", 0, dir, Optional.of(db.url), 0, Optional.empty(),
                     Optional.empty(), true, "bench"), Clock.systemUTC())) {
            if (Boolean.getBoolean("bench.feedProbe")) {
                sb.feed().addListener(batch -> {
                    long now = System.nanoTime();
                    batch.forEach(c -> FEED.put(c.key(), now));
                });
            }
            // JIT warm-up: an unreported phase, so the first measured phase is not the cold one
            Result warm = phase(db, sb.port(), "warmup", 4, WARMUP_SECONDS, clients, watch);
            System.out.printf("warm-up (%d s, 4 writers, not reported): %.0f commits/s%n", WARMUP_SECONDS, warm.commits() / warm.seconds());
            int phase = 0;
            for (int writers : writerCounts) {
                results.add(phase(db, sb.port(), "p" + phase++, writers, seconds, clients, watch));
                Result r = results.getLast();
                System.out.printf("writers=%d: %.0f commits/s, %.0f changes/s delivered per client, p50 %d us, p99 %d us, max %d us, missing %d%n",
                        r.writers(), r.commits() / r.seconds(), r.delivered() / r.seconds() / clients, r.pct(0.50), r.pct(0.99),
                        r.pct(1.0), r.missing());
            }
        }
        System.out.println();
        System.out.println("| writers | duration | commits/s | changes delivered/s (per client) | p50 | p99 | max | missing |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Result r : results) {
            System.out.printf("| %d | %.1f s | %.0f | %.0f | %.2f ms | %.2f ms | %.2f ms | %d |%n", r.writers(), r.seconds(), r.commits() / r.seconds(),
                    r.delivered() / r.seconds() / clients, r.pct(0.50) / 1000.0, r.pct(0.99) / 1000.0, r.pct(1.0) / 1000.0, r.missing());
        }
    }

    static final int WARMUP_SECONDS = 5;

    private static Result phase(PgDatabase db, int port, String tenant, int writers, int seconds, int clients, String watch)
            throws Exception {
        Map<String, Long> committedAt = new ConcurrentHashMap<>();
        List<Map<String, Long>> arrivals = new ArrayList<>();
        List<Sse> streams = new ArrayList<>();
        CountDownLatch subscribed = new CountDownLatch(clients);
        for (int i = 0; i < clients; i++) {
            Map<String, Long> arrived = new ConcurrentHashMap<>();
            arrivals.add(arrived);
            streams.add(new Sse(port, "/api/events/" + tenant + "?" + watch, null, e -> {
                if (e.type().equals("snapshot")) {
                    subscribed.countDown();
                } else if (e.type().equals("change")) {
                    arrived.put(JSON.readTree(e.data()).path("key").asString(), e.arrivedNanos());
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
        List<Thread> threads = new ArrayList<>();
        String startedAt = Instant.now().toString();
        for (int w = 0; w < writers; w++) {
            int id = w;
            threads.add(Thread.ofPlatform().name("bench-writer-" + w).start(() -> {
                try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO call_logs (id, user_id, agent_config_id, status, started_at, duration) VALUES (?, ?, ?, 'active', ?::timestamptz, 0)")) {
                    c.setAutoCommit(false);
                    for (long n = 0; !stop.get(); n++) {
                        String key = tenant + "-" + id + "-" + n;
                        ps.setString(1, key);
                        ps.setString(2, tenant);
                        ps.setString(3, "agent-" + id);
                        ps.setString(4, startedAt);
                        ps.executeUpdate();
                        committedAt.put(key, System.nanoTime());
                        c.commit();
                        commits.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        long t0 = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (arrivals.stream().anyMatch(a -> a.size() < committedAt.size()) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        for (Sse s : streams) {
            s.close();
        }
        List<Long> lat = new ArrayList<>();
        long missing = 0;
        long delivered = 0;
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
        if (!FEED.isEmpty()) {
            long[] f = committedAt.entrySet().stream().filter(e -> FEED.containsKey(e.getKey()))
                    .mapToLong(e -> TimeUnit.NANOSECONDS.toMicros(FEED.get(e.getKey()) - e.getValue())).sorted().toArray();
            System.out.printf("  commit -> feed dispatch: p50 %d us, p99 %d us, max %d us%n", f[f.length / 2], f[(int) (f.length * 0.99)], f[f.length - 1]);
        }
        long[] sorted = lat.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Result(writers, elapsed, commits.get(), delivered, missing, sorted);
    }
}
