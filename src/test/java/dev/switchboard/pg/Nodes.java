package dev.switchboard.pg;

import dev.switchboard.CaptureNode;
import dev.switchboard.Config;
import dev.switchboard.Switchboard;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Switchboard nodes on a test database: in this JVM, or as a separate {@code serve} process. */
final class Nodes {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Nodes() {}

    /** A server in this JVM on a free port, as {@code serve --database <db> --insecure-open-access --node <node>}. */
    static Switchboard inProcess(PgDatabase db, String node, Path dataDir) {
        return Switchboard.start(new Config(false, "127.0.0.1", 0, dataDir, Optional.of(db.url), 0, Optional.empty(),
                Optional.empty(), true, node), Clock.systemUTC());
    }

    /**
     * An edge node in this JVM ({@code serve --role edge --broker <url> --broker-stream <stream>}),
     * with further settings (e.g. {@code ring-size}) given as flags would give them.
     */
    static Switchboard edge(PgDatabase db, String node, Path dataDir, String broker, String stream, Map<String, String> more) {
        Map<String, String> settings = new java.util.HashMap<>(more);
        settings.putAll(Map.of("role", "edge", "broker", broker, "broker-stream", stream));
        return Switchboard.start(new Config(false, "127.0.0.1", 0, dataDir, Optional.of(db.url), 0, Optional.empty(),
                Optional.empty(), true, node).with(settings), Clock.systemUTC());
    }

    /** A capture node in this JVM ({@code serve --role capture}). */
    static CaptureNode capture(PgDatabase db, String node, Path dataDir, String broker, String stream) {
        return CaptureNode.start(new Config(false, "127.0.0.1", 0, dataDir, Optional.of(db.url), 0, Optional.empty(),
                Optional.empty(), true, node).with(Map.of("role", "capture", "broker", broker, "broker-stream", stream)), Clock.systemUTC());
    }

    /** Waits until {@code /api/health} on {@code port} answers with a body matching {@code regex} (any status). */
    static String awaitHealth(int port, String regex, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = get(port, "/api/health");
                last = r.statusCode() + " " + r.body();
                if (java.util.regex.Pattern.compile(regex).matcher(last).find()) {
                    return last;
                }
            } catch (IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("health on port " + port + " did not match " + regex + " within " + timeout + "; last: " + last);
    }

    static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** {@code serve} in a separate JVM (the test classpath, so no shaded jar is needed); its output goes to a log file. */
    static final class Child implements AutoCloseable {
        final Process process;
        final int port;
        final Path log;

        Child(PgDatabase db, String node, Path dir) throws IOException, InterruptedException {
            this(db, node, dir, List.of());
        }

        /** A node started with further arguments, e.g. {@code --role capture --broker nats://...}. */
        Child(PgDatabase db, String node, Path dir, List<String> more) throws IOException, InterruptedException {
            this.port = freePort();
            this.log = dir.resolve(node + "-" + System.nanoTime() + ".log");
            Path data = Files.createDirectories(dir.resolve(node + "-data"));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "dev.switchboard.Main",
                    "serve", "--host", "127.0.0.1", "--port", Integer.toString(port), "--data-dir", data.toString(),
                    "--database", db.url, "--insecure-open-access", "--node", node));
            command.addAll(more);
            this.process = new ProcessBuilder(command)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try {
                    if (get(port, "/api/health").statusCode() == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // still starting
                }
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IllegalStateException("node " + node + " did not start:\n" + Files.readString(log));
                }
                Thread.sleep(100);
            }
        }

        /** SIGKILL: no shutdown hook runs, sockets are closed by the kernel. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    kill();
                }
            }
        }
    }
}
