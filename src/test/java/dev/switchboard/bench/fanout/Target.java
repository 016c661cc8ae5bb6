package dev.switchboard.bench.fanout;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A system under test, running as its own process on 127.0.0.1: the Switchboard jar
 * ({@code demo --simulate-rate 0} on a fresh data directory) or the Socket.IO baseline on Node.
 * Knows how to publish to it, how clients subscribe to it, and how many subscribers it holds.
 * The Switchboard process is measured over each of its transports ({@link #over}): SSE, the
 * native WebSocket and Socket.IO.
 */
final class Target implements AutoCloseable {
    static final String TENANT = "bench";
    static final String DATASET = "call_logs";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern SESSIONS = Pattern.compile("\"sse_sessions\":(\\d+)");
    private static final Pattern ROOM = Pattern.compile("\"subscribers\":(\\d+)");

    final String name;
    /** The Node baseline (not Switchboard's own Socket.IO). */
    final boolean socketIo;
    /** How the generator's clients talk to it: sse, ws or sio. */
    final String protocol;
    final Child child;
    final int port;
    private final boolean owner;

    private Target(String name, boolean socketIo, String protocol, Child child, int port, boolean owner) {
        this.name = name;
        this.socketIo = socketIo;
        this.protocol = protocol;
        this.child = child;
        this.port = port;
        this.owner = owner;
    }

    /** The same server reached over another transport ({@code ws} or {@code sio}); closing it leaves the server running. */
    Target over(String protocol) {
        return new Target(name + "-" + protocol, socketIo, protocol, child, port, false);
    }

    /** Starts the built jar as the launcher does ({@code -XX:+UseZGC -Xss512k}), with its own data directory. */
    static Target switchboard(Path jar, Path work, List<String> jvmOptions) throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run ./switchboard bench ... (it builds the jar) or mvn package");
        }
        Path data = Files.createDirectories(work.resolve("switchboard-data"));
        List<String> cmd = new ArrayList<>(List.of(java(), "-XX:+UseZGC", "-Xss512k", "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "demo", "--simulate-rate", "0", "--port", "0", "--data-dir", data.toString()));
        Child c = Child.server("switchboard", cmd, work, work.resolve("switchboard.log"));
        int port = Integer.parseInt(c.await(Pattern.compile("running: http://127\\.0\\.0\\.1:(\\d+)/"), Duration.ofSeconds(90)));
        return new Target("switchboard", false, "sse", c, port, true);
    }

    /** Starts bench/socketio-baseline/server.js on Node, installing its npm packages on first use. */
    static Target socketIo(Path baseline, Path work) throws IOException, InterruptedException {
        if (!Files.isRegularFile(baseline.resolve("server.js"))) {
            throw new IllegalStateException("no Socket.IO baseline at " + baseline.toAbsolutePath());
        }
        try {
            new ProcessBuilder("node", "--version").redirectErrorStream(true).start().waitFor();
        } catch (IOException e) {
            throw new IllegalStateException("the Socket.IO baseline needs Node.js (node and npm on PATH); or pass --systems switchboard");
        }
        if (!Files.isDirectory(baseline.resolve("node_modules/socket.io"))) {
            System.out.println("installing the Socket.IO baseline's npm packages (npm ci, once)...");
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(baseline.toFile()).inheritIO().start();
            if (npm.waitFor() != 0) {
                throw new IllegalStateException("npm ci failed in " + baseline.toAbsolutePath() + " (exit " + npm.exitValue() + ")");
            }
        }
        Child c = Child.server("socket.io", List.of("node", "server.js", "0"), baseline, work.resolve("socketio.log"));
        int port = Integer.parseInt(c.await(Pattern.compile("listening (\\d+)"), Duration.ofSeconds(30)));
        return new Target("socket.io", true, "sio", c, port, true);
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** The stream path clients open; {@code watch} is Switchboard's query (e.g. {@code datasets=call_logs}). */
    String streamPath(String watch) {
        return protocol.equals("sio") ? "/socket.io/?EIO=4&transport=websocket" : "/api/events/" + TENANT + "?" + watch;
    }

    /**
     * Socket.IO's namespace connect packet: plain {@code 40} for the baseline, and for Switchboard
     * {@code 40} with the handshake's auth naming the tenant and what to watch (no spaces: it
     * travels as one word of a generator command).
     */
    String connectPacket(String watch) {
        if (socketIo) {
            return "40";
        }
        StringBuilder auth = new StringBuilder("40{\"tenant\":\"" + TENANT + "\"");
        for (String part : watch.split("&")) {
            String[] kv = part.split("=", 2);
            auth.append(",\"").append(kv[0]).append("\":[");
            String[] names = kv[1].split(",");
            for (int i = 0; i < names.length; i++) {
                auth.append(i == 0 ? "" : ",").append('"').append(names[i]).append('"');
            }
            auth.append(']');
        }
        return auth.append('}').toString();
    }

    /** Where the writer posts a JSON array of rows. */
    URI publishUri() {
        return URI.create("http://127.0.0.1:" + port + (socketIo ? "/publish" : "/api/ingest/" + TENANT + "/" + DATASET));
    }

    /** Subscribers the server holds now (Switchboard: open SSE sessions; Socket.IO: the room's size). */
    long subscribers() throws IOException, InterruptedException {
        String path = socketIo ? "/count" : "/api/health";
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = (socketIo ? ROOM : SESSIONS).matcher(r.body());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** Waits up to {@code timeout} until the server holds {@code n} subscribers; returns the last count seen. */
    long awaitSubscribers(long n, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long seen;
        while ((seen = subscribers()) != n && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return seen;
    }

    long pid() {
        return child.pid();
    }

    @Override
    public void close() {
        if (owner) {
            child.close();
        }
    }
}
