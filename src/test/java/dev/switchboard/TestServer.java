package dev.switchboard;

import dev.switchboard.limits.Limits;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A real server on a free port over a SQLite file in a temp folder, and a real HTTP client. */
final class TestServer implements AutoCloseable {
    static final JsonMapper JSON = JsonMapper.builder().build();
    final Switchboard sb;
    final Path dataDir;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    TestServer(Path dataDir) {
        this(dataDir, true, Optional.empty());
    }

    TestServer(Path dataDir, boolean demo, Optional<String> secret) {
        this(dataDir, demo, secret, Limits.DEFAULTS);
    }

    TestServer(Path dataDir, boolean demo, Optional<String> secret, Limits limits) {
        this(dataDir, config(dataDir, demo, secret), limits);
    }

    TestServer(Path dataDir, Config config, Limits limits) {
        this(dataDir, config, limits, Clock.systemUTC());
    }

    TestServer(Path dataDir, Config config, Limits limits, Clock clock) {
        this.dataDir = dataDir;
        this.sb = Switchboard.start(config, clock, limits);
    }

    /** The config the tests use: loopback, a free port, no simulator. */
    static Config config(Path dataDir, boolean demo, Optional<String> secret) {
        return new Config(demo, "127.0.0.1", 0, dataDir, Optional.empty(), 0, Optional.empty(), secret, false, "test");
    }

    Path db() {
        return dataDir.resolve("switchboard.db");
    }

    String base() {
        return "http://127.0.0.1:" + sb.port();
    }

    HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        var b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return bounded(http, b.GET().build());
    }

    HttpResponse<String> post(String path, String json, String... headers) throws IOException, InterruptedException {
        var b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return bounded(http, b.POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /**
     * The whole answer, body included, within 20 s. The request timeout bounds only the wait for the
     * headers: a stream answered 200 where the test expected a refusal would otherwise hang the test.
     * The exchange runs on a virtual thread of its own, not through {@code sendAsync}: that completes
     * on the common pool, which has one thread on two cores, and tests keep Node clients running there.
     */
    private static HttpResponse<String> bounded(HttpClient http, HttpRequest rq) throws IOException, InterruptedException {
        FutureTask<HttpResponse<String>> answer = new FutureTask<>(() -> http.send(rq, HttpResponse.BodyHandlers.ofString()));
        Thread.ofVirtual().name("test-http").start(answer);
        try {
            return answer.get(20, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true); // interrupts send, which abandons the exchange
            throw new AssertionError("no complete answer to " + rq.method() + " " + rq.uri().getRawPath() + " within 20 s (a stream left open?)");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        }
    }

    /** A plain HTTP client for a server started some other way. */
    record Client(int port, HttpClient http) implements AutoCloseable {
        Client(int port) {
            this(port, HttpClient.newHttpClient());
        }

        HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
            return bounded(http, HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
        }

        @Override
        public void close() {
            http.close();
        }
    }

    static JsonNode json(HttpResponse<String> r) {
        return JSON.readTree(r.body());
    }

    @Override
    public void close() {
        sb.close();
    }

    /** The first column of the first row of {@code sql} on the SQLite file {@code db} (a count), read over a connection of its own. */
    static long sqliteLong(Path db, String sql, Object... params) throws java.sql.SQLException {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
             java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }
}
