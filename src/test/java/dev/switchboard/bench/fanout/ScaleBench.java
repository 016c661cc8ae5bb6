package dev.switchboard.bench.fanout;

import dev.switchboard.bench.ProcStat;

import dev.switchboard.pg.PgDatabase;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Nats;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * Many subscribers on one box with NATS JetStream (issue 11): one capture node, enough edge
 * processes to hold N SSE and WebSocket subscribers with at most {@code --per-process} connections
 * each (the machine allows 20,000 open files per process), and as many load-generator processes
 * ({@link LoadGen}, each bound to its own 127.0.0.x), all on loopback. A writer in this JVM
 * inserts {@code call_logs} rows into PostgreSQL at a fixed rate spread over the tenants; each
 * subscriber watches one tenant's {@code call_logs}.
 *
 * <p>Reports connect time, heap and RSS per subscriber on the edges, deliveries per second,
 * commit → client p50/p99 (from the row's insert, just before its commit, to the generator's read;
 * both {@code System.nanoTime}, comparable across processes on one Linux machine), exact
 * accounting (missing and duplicated deliveries per subscriber), and every process's CPU.
 * It stops by itself: each phase is bounded, a watchdog ends the run after {@code --time-limit}
 * seconds, and every process it started is ended on the way out (also on Ctrl-C).
 *
 * <pre>./switchboard bench scale [--subscribers 100000] [--tenants 1000] [--rates 100,1000] [--seconds 20]
 *     [--per-process 15000] [--ws-share 0.2] [--batch 10] [--time-limit 900] [--edge-jvm "-Xmx2g"]</pre>
 *
 * Needs the PostgreSQL of {@code .ci/setup-postgres.sh} and NATS with JetStream on 127.0.0.1:4222
 * ({@code --broker} to change); creates and drops its own database and stream.
 */
public final class ScaleBench {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern SSE_SESSIONS = Pattern.compile("\"sse_sessions\":(\\d+)");
    private static final Pattern WS_SESSIONS = Pattern.compile("\"ws_sessions\":(\\d+)");

    private ScaleBench() {}

    record Options(int subscribers, int tenants, List<Integer> rates, int seconds, int perProcess, double wsShare, int batch,
                   int timeLimit, List<String> edgeJvm, String broker, int loopsEach) {
        static Options parse(String[] args) {
            int subscribers = 100_000;
            int tenants = 1000;
            List<Integer> rates = List.of(100, 1000);
            int seconds = 20;
            int perProcess = 15_000;
            double wsShare = 0.2;
            int batch = 10;
            int timeLimit = 900;
            List<String> edgeJvm = List.of("-Xmx2g");
            String broker = "nats://127.0.0.1:4222";
            int loops = 1;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--subscribers" -> subscribers = Integer.parseInt(args[++i].replace("_", "").replace(",", ""));
                    case "--tenants" -> tenants = Integer.parseInt(args[++i]);
                    case "--rates" -> rates = java.util.Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                    case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                    case "--per-process" -> perProcess = Integer.parseInt(args[++i]);
                    case "--ws-share" -> wsShare = Double.parseDouble(args[++i]);
                    case "--batch" -> batch = Integer.parseInt(args[++i]);
                    case "--time-limit" -> timeLimit = Integer.parseInt(args[++i]);
                    case "--edge-jvm" -> edgeJvm = List.of(args[++i].trim().split("\\s+"));
                    case "--broker" -> broker = args[++i];
                    case "--loops" -> loops = Integer.parseInt(args[++i]);
                    case "--help" -> {
                        System.out.println("./switchboard bench scale [--subscribers 100000] [--tenants 1000] [--rates 100,1000] [--seconds 20]\n"
                                + "    [--per-process 15000] [--ws-share 0.2] [--batch 10] [--time-limit 900] [--edge-jvm \"-Xmx2g\"] [--loops 1]");
                        System.exit(0);
                    }
                    default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (--help lists them)");
                }
            }
            if (perProcess > 18_000) {
                throw new IllegalArgumentException("--per-process " + perProcess + " is above 18,000: a process may open 20,000 files here");
            }
            return new Options(subscribers, tenants, rates, seconds, perProcess, wsShare, batch, timeLimit, edgeJvm, broker, loops);
        }
    }

    /** One step's figures. */
    record StepResult(int rate, double seconds, long rows, long expected, Generators.Stats stats, double drainSeconds,
                      Map<String, Double> cpuPct, double machineBusy) { }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        Thread watchdog = Thread.ofPlatform().daemon().name("scale-watchdog").start(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(o.timeLimit()));
                System.out.println("scale bench: time limit of " + o.timeLimit() + " s reached; ending every process it started");
                System.exit(2); // Child's shutdown hook ends the servers and generators
            } catch (InterruptedException done) {
                // finished in time
            }
        });
        try {
            run(o);
        } finally {
            watchdog.interrupt();
        }
        System.exit(0);
    }

    private static void run(Options o) throws Exception {
        int processes = (o.subscribers() + o.perProcess() - 1) / o.perProcess();
        Path jar = Path.of("target/switchboard.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run ./switchboard bench scale (it builds the jar) or mvn package");
        }
        Path work = Files.createTempDirectory("sb-scale");
        String stream = "sbscale" + Long.toString(System.nanoTime(), 36);
        System.out.printf("scale bench: %,d subscribers (%.0f%% WebSocket) over %d tenants, %d edge processes and %d load generators "
                        + "(at most %,d connections each), rates %s changes/s, %d s per step; logs in %s%n", o.subscribers(),
                100 * o.wsShare(), o.tenants(), processes, processes, o.perProcess(), o.rates(), o.seconds(), work);
        List<Child> started = new java.util.concurrent.CopyOnWriteArrayList<>();
        PgDatabase db = PgDatabase.create("scale");
        AtomicBoolean cleaned = new AtomicBoolean();
        Runnable cleanUp = () -> {
            if (cleaned.compareAndSet(false, true)) {
                for (int i = started.size() - 1; i >= 0; i--) {
                    started.get(i).close();
                }
                deleteStream(o.broker(), stream);
                try {
                    db.close(); // drops the database and its replication slots
                } catch (Exception e) {
                    System.out.println("could not drop the database " + db.name + ": " + e);
                }
            }
        };
        // also on Ctrl-C, a kill or the watchdog: nothing the run started outlives it
        Runtime.getRuntime().addShutdownHook(new Thread(cleanUp));
        try {
            bench(o, processes, jar, work, stream, db, started);
        } finally {
            cleanUp.run();
        }
    }

    private static void bench(Options o, int processes, Path jar, Path work, String stream, PgDatabase db, List<Child> started)
            throws Exception {
        // small pools: eight servers at the default of 10 would take most of PostgreSQL's 100
        // connections from everyone else on the machine; edges here only bootstrap nothing and write nothing
        List<String> common = List.of("--host", "127.0.0.1", "--database", db.url, "--insecure-open-access", "--broker", o.broker(),
                "--broker-stream", stream, "--broker-max-mb", "1024", "--broker-retention", "1h", "--pg-pool-size", "2");
        int capturePort = freePort();
        Child capture = server(jar, work, "capture", List.of(), capturePort, common, List.of("--role", "capture"));
        started.add(capture);
        awaitHealth(capturePort, Duration.ofSeconds(90));
        List<Child> edges = new ArrayList<>();
        int[] edgePorts = new int[processes];
        for (int i = 0; i < processes; i++) {
            edgePorts[i] = freePort();
            Child e = server(jar, work, "edge-" + i, o.edgeJvm(), edgePorts[i], common, List.of("--role", "edge"));
            started.add(e);
            edges.add(e);
        }
        for (int port : edgePorts) {
            awaitHealth(port, Duration.ofSeconds(120));
        }
        System.out.printf("capture and %d edges up%n", processes);
        long[] heap0 = new long[processes];
        long[] rss0 = new long[processes];
        for (int i = 0; i < processes; i++) {
            heap0[i] = MemoryBench.liveHeap(edges.get(i).pid());
            rss0[i] = ProcStat.rssBytes(edges.get(i).pid());
        }
        List<Child> gens = new ArrayList<>();
        for (int i = 0; i < processes; i++) {
            List<String> cmd = new ArrayList<>(List.of(Target.java(), "-Xmx1g", "-XX:+UseParallelGC", "-cp",
                    System.getProperty("java.class.path"), LoadGen.class.getName(), "--threads", String.valueOf(o.loopsEach()),
                    "--bind", "127.0.0." + (2 + i), "--tenants", String.valueOf(o.tenants()),
                    "--tenant-offset", String.valueOf(i * o.loopsEach()), "--tenant-stride", String.valueOf(processes)));
            Child g = Child.commanded("loadgen-" + i, cmd);
            started.add(g);
            gens.add(g);
        }
        long gensRss0 = gens.stream().mapToLong(g -> ProcStat.rssBytes(g.pid())).sum();

        // connect: generator i opens its share on edge i, SSE first, then WebSocket
        String path = "/api/events/t{tenant}?datasets=call_logs";
        long connectStart = System.nanoTime();
        int[] shares = new int[processes];
        for (int i = 0; i < processes; i++) {
            shares[i] = o.subscribers() / processes + (i < o.subscribers() % processes ? 1 : 0);
        }
        long ok = 0;
        long failed = 0;
        String err = "";
        for (String protocol : List.of("sse", "ws")) {
            for (int i = 0; i < processes; i++) {
                int ws = (int) Math.round(shares[i] * o.wsShare());
                int n = protocol.equals("ws") ? ws : shares[i] - ws;
                gens.get(i).send("connect " + protocol + " 127.0.0.1 " + edgePorts[i] + " " + path + " " + n + " 200");
            }
            for (Child g : gens) {
                String[] w = g.answer().split(" ");
                ok += Long.parseLong(w[1]);
                failed += Long.parseLong(w[2]);
                err = w.length > 3 ? w[3] : err;
            }
        }
        double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
        long held = 0;
        for (int port : edgePorts) {
            held += awaitSessions(port, shares[java.util.Arrays.stream(edgePorts).boxed().toList().indexOf(port)], Duration.ofSeconds(60));
        }
        System.out.printf("connected %,d of %,d in %.1f s (%,.0f connections/s), %d failed%s; edges hold %,d streams%n", ok, o.subscribers(),
                connectSeconds, ok / connectSeconds, failed, failed > 0 ? " (last error: " + err + ")" : "", held);

        long heapSum = 0;
        long rssSum = 0;
        StringBuilder perEdge = new StringBuilder();
        for (int i = 0; i < processes; i++) {
            long heap = MemoryBench.liveHeap(edges.get(i).pid()) - heap0[i];
            long rss = ProcStat.rssBytes(edges.get(i).pid()) - rss0[i];
            heapSum += heap;
            rssSum += rss;
            perEdge.append(String.format("  edge-%d: %,d subscribers, live heap +%.1f MB (%.2f KB each), RSS +%.1f MB (%.2f KB each), RSS %.0f MB%n",
                    i, shares[i], heap / 1e6, heap / 1024.0 / shares[i], rss / 1e6, rss / 1024.0 / shares[i],
                    ProcStat.rssBytes(edges.get(i).pid()) / 1e6));
        }
        long gensRss = gens.stream().mapToLong(g -> ProcStat.rssBytes(g.pid())).sum() - gensRss0;
        System.out.print(perEdge);
        System.out.printf("per subscriber: live heap %.2f KB, RSS %.2f KB (edges); generator RSS %.2f KB per connection%n",
                heapSum / 1024.0 / ok, rssSum / 1024.0 / ok, gensRss / 1024.0 / ok);

        Writer writer = new Writer(db, o.tenants(), o.batch());
        List<StepResult> results = new ArrayList<>();
        Map<String, Long> pids = pids(capture, edges, gens);
        // warm-up: a few seconds at the first rate, not reported
        writer.write(o.rates().getFirst(), 5);
        for (int rate : o.rates()) {
            results.add(step(o, writer, gens, pids, rate, ok));
            StepResult r = results.getLast();
            print(r, ok);
        }
        System.out.println();
        System.out.println("| subscribers | rate changes/s | deliveries/s | expected/s | p50 ms | p99 ms | max ms | missing | dup | drain s "
                + "| capture CPU | edges CPU | generators CPU | writer CPU | PostgreSQL CPU | NATS CPU | machine busy |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (StepResult r : results) {
            Map<String, Double> c = r.cpuPct();
            System.out.printf("| %,d | %,d | %,.0f | %,.0f | %.1f | %.1f | %.1f | %,d | %,d | %.1f | %.0f%% | %.0f%% | %.0f%% | %.0f%% | %.0f%% | %.0f%% | %.0f%% |%n",
                    ok, r.rate(), r.stats().distinct() / r.seconds(), r.expected() / r.seconds(),
                    r.stats().latency().getValueAtPercentile(50) / 1000.0, r.stats().latency().getValueAtPercentile(99) / 1000.0,
                    r.stats().latency().getMaxValue() / 1000.0, r.stats().missing(), r.stats().duplicates(), r.drainSeconds(),
                    c.get("capture"), sumPrefix(c, "edge-"), sumPrefix(c, "loadgen-"), c.get("writer"), c.get("postgres"), c.get("nats"),
                    r.machineBusy());
        }
    }

    private static StepResult step(Options o, Writer writer, List<Child> gens, Map<String, Long> pids, int rate, long subscribers)
            throws Exception {
        long from = writer.nextRound();
        for (Child g : gens) {
            g.send("begin " + from);
        }
        for (Child g : gens) {
            g.answer();
        }
        Map<String, Long> cpu0 = cpu(pids);
        long[] m0 = ProcStat.machine();
        long t0 = System.nanoTime();
        long rows = writer.write(rate, o.seconds());
        double seconds = (System.nanoTime() - t0) / 1e9;
        long to = writer.nextRound();
        long expected = (to - from) * subscribers;
        // drain: until every subscriber has every round, nothing arrived for 3 s, or 30 s passed
        long drainStart = System.nanoTime();
        long lastDistinct = -1;
        long lastChange = System.nanoTime();
        while (System.nanoTime() - drainStart < TimeUnit.SECONDS.toNanos(30)) {
            long distinct = 0;
            for (Child g : gens) {
                g.send("progress");
            }
            for (Child g : gens) {
                distinct += Long.parseLong(g.answer().split(" ")[1]);
            }
            if (distinct >= expected) {
                break;
            }
            if (distinct != lastDistinct) {
                lastDistinct = distinct;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > TimeUnit.SECONDS.toNanos(3)) {
                break;
            }
            Thread.sleep(200);
        }
        double drain = (System.nanoTime() - drainStart) / 1e9;
        Map<String, Long> cpu1 = cpu(pids);
        long[] m1 = ProcStat.machine();
        double wall = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> pct = new LinkedHashMap<>();
        cpu1.forEach((k, v) -> pct.put(k, 100.0 * (v - cpu0.getOrDefault(k, 0L)) / 1e9 / wall));
        Generators.Stats stats = stats(gens, to);
        return new StepResult(rate, seconds, rows, expected, stats, drain, pct, 100.0 * (m1[0] - m0[0]) / Math.max(1, m1[1] - m0[1]));
    }

    private static void print(StepResult r, long subscribers) {
        Generators.Stats s = r.stats();
        System.out.printf("rate %,d changes/s: wrote %,d rows in %.1f s; %,d of %,d deliveries (%,.0f/s during the step), missing %,d, dup %,d, "
                        + "late %,d, drain %.1f s; commit -> client p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", r.rate(), r.rows(), r.seconds(),
                s.distinct(), r.expected(), s.distinct() / r.seconds(), s.missing(), s.duplicates(), s.late(), r.drainSeconds(),
                s.latency().getValueAtPercentile(50) / 1000.0, s.latency().getValueAtPercentile(99) / 1000.0, s.latency().getMaxValue() / 1000.0);
        System.out.printf("  connections open %,d, closed since connecting %,d%s%n", s.connections(), s.closed(),
                s.lastError().isEmpty() ? "" : " (last reason: " + s.lastError() + ")");
        System.out.println("  CPU (% of one core, over the step and its drain): " + r.cpuPct().entrySet().stream()
                .map(e -> e.getKey() + " " + Math.round(e.getValue()) + "%").reduce((a, b) -> a + ", " + b).orElse("")
                + String.format("; machine busy %.0f%%", r.machineBusy()));
    }

    private static Generators.Stats stats(List<Child> gens, long to) throws IOException {
        long[] s = new long[11];
        Histogram h = new Histogram(Accounting.MAX_MICROS, 3);
        String err = "";
        for (Child g : gens) {
            g.send("stats " + to);
        }
        for (Child g : gens) {
            String[] w = g.answer().split(" ");
            for (int i = 0; i < 11; i++) {
                long v = Long.parseLong(w[1 + i]);
                s[i] = i == 8 ? Math.max(s[i], v) : s[i] + v;
            }
            try {
                h.add(Histogram.decodeFromCompressedByteBuffer(java.nio.ByteBuffer.wrap(java.util.Base64.getDecoder().decode(w[12])), 0));
            } catch (java.util.zip.DataFormatException e) {
                throw new IllegalStateException("unreadable histogram from a load generator", e);
            }
            err = w[13].equals("-") ? err : w[13];
        }
        return new Generators.Stats(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], h, err);
    }

    private static double sumPrefix(Map<String, Double> m, String prefix) {
        return m.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToDouble(Map.Entry::getValue).sum();
    }

    /** The processes whose CPU is reported: ours by name, PostgreSQL and NATS by their command name (every instance on the machine). */
    private static Map<String, Long> pids(Child capture, List<Child> edges, List<Child> gens) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("capture", capture.pid());
        for (int i = 0; i < edges.size(); i++) {
            m.put("edge-" + i, edges.get(i).pid());
        }
        for (int i = 0; i < gens.size(); i++) {
            m.put("loadgen-" + i, gens.get(i).pid());
        }
        return m;
    }

    private static Map<String, Long> cpu(Map<String, Long> pids) throws IOException {
        Map<String, Long> m = new LinkedHashMap<>();
        pids.forEach((k, pid) -> m.put(k, ProcStat.cpuNanos(pid)));
        m.put("writer", ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime());
        long pg = 0;
        long nats = 0;
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                String comm;
                try {
                    comm = Files.readString(p.resolve("comm")).trim();
                } catch (IOException gone) {
                    continue;
                }
                if (comm.equals("postgres")) {
                    pg += ProcStat.cpuNanos(Long.parseLong(p.getFileName().toString()));
                } else if (comm.equals("nats-server")) {
                    nats += ProcStat.cpuNanos(Long.parseLong(p.getFileName().toString()));
                }
            }
        }
        m.put("postgres", pg);
        m.put("nats", nats);
        return m;
    }

    /**
     * Inserts call_logs rows in rounds: round r holds one row per tenant, stamped
     * {@code sbq-<r>-<nanoTime>-<tenant>}. Row g overall is round {@code g / tenants} of tenant
     * {@code g % tenants}; transactions of {@code batch} rows are due at a fixed pace and taken by
     * {@link #CONNECTIONS} connections at once, so one slow commit does not hold the rate back.
     */
    static final class Writer {
        static final int CONNECTIONS = 4;
        private final PgDatabase db;
        private final int tenants;
        private final int batch;
        /** The next row overall; always at a round's start between calls to {@link #write}. */
        private long next;

        Writer(PgDatabase db, int tenants, int batch) {
            this.db = db;
            this.tenants = tenants;
            this.batch = batch;
        }

        /** The first round not yet written. */
        long nextRound() {
            return next / tenants;
        }

        /** Writes {@code rate} rows a second for about {@code seconds}, ending at a whole round. Returns the rows written. */
        long write(int rate, int seconds) throws Exception {
            long first = next;
            long end = first + ((long) rate * seconds + tenants - 1) / tenants * tenants;
            long txns = (end - first + batch - 1) / batch;
            long intervalNanos = TimeUnit.SECONDS.toNanos(1) * batch / rate;
            AtomicLong claimed = new AtomicLong();
            String startedAt = Instant.now().toString();
            long start = System.nanoTime();
            List<java.util.concurrent.Future<?>> workers = new ArrayList<>();
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(CONNECTIONS)) {
                for (int w = 0; w < CONNECTIONS; w++) {
                    workers.add(pool.submit(() -> {
                        try (java.sql.Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                                "INSERT INTO call_logs (id, user_id, agent_config_id, status, started_at, duration) "
                                        + "VALUES (?, ?, 'scale', 'active', ?::timestamptz, 0)")) {
                            c.setAutoCommit(false);
                            for (long k = claimed.getAndIncrement(); k < txns; k = claimed.getAndIncrement()) {
                                long wait = start + k * intervalNanos - System.nanoTime();
                                if (wait > 0) {
                                    TimeUnit.NANOSECONDS.sleep(wait);
                                }
                                for (long g = first + k * batch; g < Math.min(end, first + (k + 1) * batch); g++) {
                                    ps.setString(1, Marker.id(g / tenants, System.nanoTime()) + "-" + g % tenants);
                                    ps.setString(2, "t" + g % tenants);
                                    ps.setString(3, startedAt);
                                    ps.addBatch();
                                }
                                ps.executeBatch();
                                c.commit();
                            }
                        }
                        return null;
                    }));
                }
                for (var f : workers) {
                    f.get();
                }
            }
            next = end;
            return end - first;
        }
    }

    private static Child server(Path jar, Path work, String name, List<String> jvm, int port, List<String> common, List<String> role)
            throws IOException {
        Path data = Files.createDirectories(work.resolve(name + "-data"));
        List<String> cmd = new ArrayList<>(List.of(Target.java(), "-XX:+UseZGC", "-Xss512k", "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "serve", "--node", name, "--port", String.valueOf(port),
                "--data-dir", data.toString()));
        cmd.addAll(common);
        cmd.addAll(role);
        return Child.server(name, cmd, work, work.resolve(name + ".log"));
    }

    private static void awaitHealth(int port, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = health(port);
                if (r.statusCode() == 200) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the server on port " + port + " was not healthy within " + timeout.toSeconds() + " s: " + last);
    }

    /** Waits until the edge holds {@code n} streams (SSE plus WebSocket); returns what it holds. */
    private static long awaitSessions(int port, long n, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long seen = -1;
        while (System.nanoTime() < deadline) {
            String body = health(port).body();
            seen = count(SSE_SESSIONS, body) + count(WS_SESSIONS, body);
            if (seen >= n) {
                return seen;
            }
            Thread.sleep(200);
        }
        return seen;
    }

    private static long count(Pattern p, String body) {
        Matcher m = p.matcher(body);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static HttpResponse<String> health(int port) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/health")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteStream(String broker, String stream) {
        try (Connection nc = Nats.connect(broker)) {
            nc.jetStreamManagement().deleteStream(stream);
        } catch (IOException | JetStreamApiException | InterruptedException e) {
            System.out.println("could not delete the NATS stream " + stream + ": " + e);
        }
    }
}
