package dev.switchboard.bench.abuse;

import dev.switchboard.bench.ProcStat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code ./switchboard bench abuse}: the abusive clients of issue 12 all at once against one
 * {@code serve} process with its default limits, while one honest client per tenant watches its
 * dashboard and dataset and writes a row at a time. Prints the honest clients' post-to-client
 * latency, what health said, the server's heap and RSS, and what each abusive client got.
 * Loopback only, bounded: it stops by itself after the run and closes the server.
 *
 * <pre>
 *   ./switchboard bench abuse                       60 s at the numbers
 *   ./switchboard bench abuse --seconds 30 --scale 0.5 --preload 20000
 * </pre>
 */
public final class AbuseBench {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern HEAP = Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\"[^}]*}\\s+(\\S+)");

    private AbuseBench() {}

    /**
     * How long the attackers outlast the honest clients: the live-heap probe ({@code jcmd GC.class_histogram}) stops
     * the server for up to a second, so it runs then, not while the honest clients measure.
     */
    private static final Duration HEAP_PROBE = Duration.ofSeconds(8);

    record Sample(double at, int status, long healthMillis, List<String> problems, long heapBytes, long rssBytes, long views,
                  long deliveryLag, long dispatchLag) {}

    public static void main(String[] args) throws Exception {
        int seconds = 60;
        double scale = 1.0;
        int preload = 90_000;
        String heap = ""; // as the launcher runs it: the JVM's default maximum (a quarter of the RAM)
        String jfr = "";
        int baseline = 10;
        int nice = 0;
        java.util.Set<String> only = new java.util.HashSet<>();
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--scale" -> scale = Double.parseDouble(args[++i]);
                case "--preload" -> preload = Integer.parseInt(args[++i]);
                case "--heap" -> heap = args[++i];
                case "--jfr" -> jfr = args[++i];
                case "--baseline" -> baseline = Integer.parseInt(args[++i]);
                case "--attackers-nice" -> nice = Integer.parseInt(args[++i]);
                case "--only" -> only.addAll(List.of(args[++i].split(",")));
                case "--env" -> {
                    String[] kv = args[++i].split("=", 2);
                    env.put(kv[0], kv[1]);
                }
                case "--quick" -> {
                    seconds = 20;
                    scale = 0.25;
                    preload = 20_000;
                }
                default -> {
                    System.err.println("bench abuse: unknown option " + args[i] + "; use --seconds N, --scale X, --preload N, --heap 2g (default: the JVM's), "
                            + "--baseline S (honest clients alone first; 0: none), --jfr FILE (record the server), --env SWITCHBOARD_X=V (a server setting), --only KIND,... (of "
                            + Attacks.KINDS + "), --attackers-nice N (run the abusive clients' processes at this nice level, as if "
                            + "they ran on other machines; default 0), --quick");
                    System.exit(2);
                }
            }
        }
        Path work = Files.createTempDirectory("switchboard-abuse");
        String secret = java.util.HexFormat.of().formatHex(java.security.SecureRandom.getInstanceStrong().generateSeed(32));
        Process server = null;
        try {
            List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-XX:+UseZGC",
                    "-Xss512k", "--enable-native-access=ALL-UNNAMED"));
            if (!heap.isEmpty()) {
                cmd.add("-Xmx" + heap);
            }
            if (!jfr.isEmpty()) {
                cmd.add("-XX:StartFlightRecording=filename=" + Path.of(jfr).toAbsolutePath() + ",settings=profile");
            }
            cmd.addAll(List.of("-jar", Path.of("target/switchboard.jar").toAbsolutePath().toString(), "serve",
                    "--host", "127.0.0.1", "--port", "0", "--data-dir", work.resolve("data").toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve("server.log").toFile());
            pb.environment().put("SWITCHBOARD_JWT_SECRET", secret);
            pb.environment().putAll(env); // --env SWITCHBOARD_X=... : a setting other than the default, for experiments
            server = pb.start();
            Process s = server;
            Runtime.getRuntime().addShutdownHook(new Thread(s::destroyForcibly));
            int port = awaitPort(server, work.resolve("server.log"));
            run(server.pid(), port, secret, seconds, scale, preload, heap, baseline, only, nice);
            List<String> errors = Files.readAllLines(work.resolve("server.log")).stream().filter(l -> l.contains(" ERROR ")).toList();
            System.out.printf("%nserver log: %d ERROR lines%s%n", errors.size(), errors.isEmpty() ? "" : "; the first:");
            errors.stream().limit(5).forEach(e -> System.out.println("  " + (e.length() > 300 ? e.substring(0, 300) + "..." : e)));
            // warnings by their first words (a view rebuilt in a loop, a refused backfill...): what the node did about the attack
            Map<String, Long> warnings = new java.util.TreeMap<>();
            Files.readAllLines(work.resolve("server.log")).stream().filter(l -> l.contains(" WARN ")).forEach(l -> {
                String m = l.substring(l.indexOf(" WARN ") + 6).replaceAll("[0-9]+", "N");
                warnings.merge(m.length() > 110 ? m.substring(0, 110) : m, 1L, Long::sum);
            });
            System.out.printf("server log: %d WARN lines%n", warnings.values().stream().mapToLong(Long::longValue).sum());
            warnings.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
                    .forEach(e -> System.out.printf("  %,6d x %s%n", e.getValue(), e.getKey()));
        } finally {
            if (server != null) {
                server.destroy();
                server.waitFor();
            }
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(long pid, int port, String secret, int seconds, double scale, int preload, String heap, int baseline,
                            java.util.Set<String> only, int nice) throws Exception {
        Tokens tokens = new Tokens(secret);
        HttpClient monitor = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).localAddress(InetAddress.getByName("127.0.0.3")).build();
        String admin = "Bearer " + tokens.mint("*", "ops", "admin");
        System.out.printf("bench abuse: %s, %d cores, %d s, scale %.2f, %,d changes preloaded, server heap %s, default limits, attackers at nice %d%n",
                Instant.now(), Runtime.getRuntime().availableProcessors(), seconds, scale, preload, heap.isEmpty() ? "JVM default" : "-Xmx" + heap, nice);
        JsonNode h0 = health(monitor, port);
        String old = h0.path("position").asString();
        preload(port, tokens, preload);
        long target = seq(old) + preload;
        while (seq(health(monitor, port).path("position").asString()) < target) {
            Thread.sleep(200);
        }
        String head = health(monitor, port).path("position").asString();
        String ahead = head.substring(0, head.lastIndexOf('-') + 1) + (seq(head) + 1_000_000_000L);
        long idleHeap = heapBytes(monitor, port, admin);
        long idleLive = liveHeap(pid);
        System.out.printf("preloaded; idle: heap %.0f MB, RSS %.0f MB%n", idleHeap / 1e6, ProcStat.rssBytes(pid) / 1e6);

        if (baseline > 0) {
            HonestProcess alone = HonestProcess.start(port, secret, baseline, "b1,b2,b3");
            alone.awaitReady();
            String[] r = alone.result();
            System.out.printf("baseline, honest clients alone for %d s: %s posted, %s received; commit -> client p50 %s ms, p99 %s ms, "
                    + "max %s ms; post -> client p50 %s ms, p99 %s ms%n", baseline, r[1], r[2], r[13], r[15], r[16], r[6], r[8]);
        }
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(seconds).toNanos();
        long serverCpu0 = ProcStat.cpuNanos(pid);
        long[] machine0 = ProcStat.machine();
        HonestProcess honest = HonestProcess.start(port, secret, seconds, "h1,h2,h3");
        honest.awaitReady();
        List<AttackProcess> attacks = new ArrayList<>();
        for (String kind : Attacks.KINDS) {
            if (only.isEmpty() || only.contains(kind)) {
                // the attackers outlast the honest window by HEAP_PROBE: the class histogram, which stops the server
                // for up to a second, is taken under abuse but after the honest clients stopped measuring
                attacks.add(AttackProcess.start(port, secret, (deadline - System.nanoTime()) / 1_000_000_000L + HEAP_PROBE.toSeconds(),
                        scale, old, ahead, kind, nice));
            }
        }
        List<Sample> samples = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            samples.add(sample(monitor, port, admin, pid, (t0 - start) / 1e9));
            Thread.sleep(Math.max(0, 1000 - (System.nanoTime() - t0) / 1_000_000));
        }
        String[] result = honest.result();
        samples.add(sample(monitor, port, admin, pid, (System.nanoTime() - start) / 1e9));
        long live = liveHeap(pid); // the attackers are still at it (HEAP_PROBE)
        List<String[]> tallies = new ArrayList<>();
        for (AttackProcess a : attacks) {
            tallies.addAll(a.tallies());
        }
        double wall = (System.nanoTime() - start) / 1e9;
        long[] machine1 = ProcStat.machine();
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("%nCPU over the run (%d cores = %d%%): server %.0f%%; the whole machine %.0f%% (load generators, other users)%n",
                cores, 100 * cores, 100 * (ProcStat.cpuNanos(pid) - serverCpu0) / 1e9 / wall,
                100.0 * cores * (machine1[0] - machine0[0]) / Math.max(1, machine1[1] - machine0[1]));
        report(result, tallies, samples, idleHeap);
        System.out.printf("live heap (after a full collection, jcmd GC.class_histogram): idle %.0f MB, under abuse %.0f MB "
                + "(after the honest window, the attackers still running)%n", idleLive / 1e6, live / 1e6);
        System.out.println("largest classes in the last histogram:");
        lastHistogram.lines().filter(l -> l.matches("\\s*\\d+:.*")).limit(8).forEach(l -> System.out.println("  " + l.trim()));
    }

    /** The last class histogram taken, for the report's largest classes. */
    private static String lastHistogram = "";

    /** The server's live heap: {@code jcmd GC.class_histogram} collects first, so its total counts live objects only. */
    private static long liveHeap(long pid) {
        try {
            Path jcmd = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd");
            Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), "GC.class_histogram").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            Matcher m = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)").matcher(out);
            lastHistogram = out;
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void report(String[] h, List<String[]> tallies, List<Sample> samples, long idleHeap) {
        System.out.printf("%nhonest clients (3 tenants, 10 rows/s each, post -> change event at the watcher; a process of their own):%n");
        System.out.printf("  %s posted, %s received, %s missing, %s posts failed, %s reconnects%n", h[1], h[2], h[3], h[4], h[5]);
        System.out.printf("  commit -> client (the change's commit_time to its arrival, ms clock): p50 %s ms, p90 %s ms, p99 %s ms, max %s ms%n",
                h[13], h[14], h[15], h[16]);
        System.out.printf("  post -> client (just before the POST is sent to the arrival): p50 %s ms, p90 %s ms, p99 %s ms, max %s ms%n",
                h[6], h[7], h[8], h[9]);
        System.out.printf("  of which the POST (until the write is answered): p50 %s ms, p99 %s ms, max %s ms%n", h[10], h[11], h[12]);
        long ok = samples.stream().filter(s -> s.status == 200).count();
        System.out.printf("%nhealth: %d of %d samples ok; slowest answer %d ms; most views %d; worst dispatch lag %d ms, delivery lag %d ms%n",
                ok, samples.size(), samples.stream().mapToLong(Sample::healthMillis).max().orElse(0),
                samples.stream().mapToLong(Sample::views).max().orElse(0), samples.stream().mapToLong(Sample::dispatchLag).max().orElse(0),
                samples.stream().mapToLong(Sample::deliveryLag).max().orElse(0));
        Map<String, Long> problems = new LinkedHashMap<>();
        samples.forEach(s -> s.problems.forEach(p -> problems.merge(p.replaceAll("\\d+", "N"), 1L, Long::sum)));
        problems.forEach((p, n) -> System.out.printf("  degraded %d s: %s%n", n, p));
        System.out.printf("heap: idle %.0f MB, most under abuse %.0f MB; RSS most %.0f MB%n", idleHeap / 1e6,
                samples.stream().mapToLong(Sample::heapBytes).max().orElse(0) / 1e6,
                samples.stream().mapToLong(Sample::rssBytes).max().orElse(0) / 1e6);
        System.out.printf("%nabusive clients (a process per kind; what they got):%n");
        for (String[] t : tallies) {
            System.out.printf("  %-26s %s%n  %-26s -> %s%s%n", t[0], t[1], "", t[2], t[3].equals("0") ? "" : "; at most " + t[3] + " held open");
        }
    }

    private static Sample sample(HttpClient http, int port, String admin, long pid, double at) {
        long t0 = System.nanoTime();
        int status = 0;
        List<String> problems = new ArrayList<>();
        long views = 0;
        long delivery = 0;
        long dispatch = 0;
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/health"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            status = r.statusCode();
            JsonNode h = JSON.readTree(r.body());
            h.path("problems").forEach(p -> problems.add(p.asString()));
            views = h.path("views").asLong();
            delivery = h.path("delivery_lag_max_ms").asLong(); // the worst of the last 10 s: a stall between two samples still shows
            dispatch = h.path("dispatch_lag_ms").asLong();
        } catch (IOException | RuntimeException e) {
            problems.add("health did not answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long healthMillis = (System.nanoTime() - t0) / 1_000_000;
        return new Sample(at, status, healthMillis, problems, heapBytes(http, port, admin), ProcStat.rssBytes(pid), views, delivery, dispatch);
    }

    private static long heapBytes(HttpClient http, int port, String admin) {
        try {
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).header("Authorization", admin)
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = HEAP.matcher(body);
            long sum = 0;
            while (m.find()) {
                sum += (long) Double.parseDouble(m.group(1));
            }
            return sum;
        } catch (IOException | RuntimeException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** Writes {@code n} calls of tenant "abuse" in 5,000-row batches (the resume-from-far-back clients replay them). */
    private static void preload(int port, Tokens tokens, int n) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).localAddress(InetAddress.getByName("127.0.0.9")).build();
        String auth = "Bearer " + tokens.mint("abuse", "loader", "writer");
        for (int b = 0; b * 5000 < n; b++) {
            StringBuilder body = new StringBuilder("[");
            for (int r = 0; r < Math.min(5000, n - b * 5000); r++) {
                body.append(r == 0 ? "" : ",").append(Rows.call("pre-" + b + "-" + r, "ended"));
            }
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/ingest/abuse/call_logs"))
                    .header("Authorization", auth).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.append("]").toString())).build();
            HttpResponse<String> resp = http.send(request, HttpResponse.BodyHandlers.ofString());
            while (resp.statusCode() == 429) { // the writer's rows-per-second budget: wait as a well-behaved backend does
                Thread.sleep(Duration.ofSeconds(Long.parseLong(resp.headers().firstValue("Retry-After").orElse("1"))));
                resp = http.send(request, HttpResponse.BodyHandlers.ofString());
            }
            if (resp.statusCode() != 200) {
                throw new IllegalStateException("preloading failed: " + resp.statusCode() + " " + resp.body());
            }
        }
    }

    private static JsonNode health(HttpClient http, int port) throws IOException, InterruptedException {
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/health")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private static long seq(String position) {
        return Long.parseLong(position.substring(position.lastIndexOf('-') + 1));
    }

    private static int awaitPort(Process server, Path log) throws IOException, InterruptedException {
        Pattern running = Pattern.compile("running: http://127\\.0\\.0\\.1:(\\d+)/");
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                Matcher m = running.matcher(Files.readString(log));
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
            if (!server.isAlive()) {
                throw new IllegalStateException("the server exited: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the server did not start within 90 s: " + Files.readString(log));
    }

    /** The honest clients in a JVM of their own ({@link Honest#main}), on this one's classpath. */
    private record HonestProcess(Process process, java.io.BufferedReader out) {
        static HonestProcess start(int port, String secret, int seconds, String tenants) throws IOException {
            Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                    Honest.class.getName(), String.valueOf(port), secret, String.valueOf(seconds), "10", tenants)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
            return new HonestProcess(p, new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())));
        }

        void awaitReady() throws IOException {
            String line;
            while ((line = out.readLine()) != null && !line.equals("ready")) {
                // nothing else is printed before
            }
            if (line == null) {
                throw new IllegalStateException("the honest clients' process ended before its watchers were ready");
            }
        }

        /** The result line's fields: posted, received, missing, failed posts, reconnects, latency p50/p90/p99/max, POST p50/p99/max. */
        String[] result() throws IOException, InterruptedException {
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("result ")) {
                // skip
            }
            process.waitFor();
            if (line == null) {
                throw new IllegalStateException("the honest clients' process printed no result");
            }
            return line.split(" ");
        }
    }

    /** One kind of abusive client in a JVM of its own ({@link Attacks#main}). */
    private record AttackProcess(Process process, java.io.BufferedReader out) {
        static AttackProcess start(int port, String secret, long seconds, double scale, String old, String ahead, String kind, int nice)
                throws IOException {
            List<String> cmd = new ArrayList<>();
            if (nice != 0) {
                // the attackers' own CPU is not the server's: at a low priority they take what the server leaves
                cmd.addAll(List.of("nice", "-n", String.valueOf(nice)));
            }
            cmd.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xss256k", "-cp",
                    System.getProperty("java.class.path"), Attacks.class.getName(), String.valueOf(port), secret, String.valueOf(seconds),
                    String.valueOf(scale), old, ahead, kind));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
            return new AttackProcess(p, new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())));
        }

        /** Each tally as {name, what, outcomes, most held}, once the process ends. */
        List<String[]> tallies() throws IOException, InterruptedException {
            List<String[]> out = new ArrayList<>();
            String line;
            while ((line = this.out.readLine()) != null) {
                if (line.startsWith("tally ")) {
                    out.add(line.substring(6).split("\\|", -1));
                }
            }
            process.waitFor();
            return out;
        }
    }
}
