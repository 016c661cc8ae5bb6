package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * An alert declared on a stat fires on the live value: an {@code alert} event on the stream, a
 * listing at {@code GET /api/alerts/{tenant}}, and a signed POST to the operator's webhook (a real
 * HTTP server, which first fails so the post is retried); it resolves the same way.
 */
class AlertsOverHttpTest {
    @TempDir
    Path dir;

    record Post(String body, String signature) {}

    @Test
    void anAlert_firesAndResolves_onTheStream_theApi_andTheWebhook() throws Exception {
        Path dashboards = Files.createDirectories(dir.resolve("dashboards"));
        Files.writeString(dashboards.resolve("watch.yaml"), """
                name: watch
                title: Watch
                widgets:
                  active: { stat: count, dataset: call_logs, where: { status: active }, alert: { above: 1, message: More than one call at once, severity: critical } }
                """);
        BlockingQueue<Post> posts = new LinkedBlockingQueue<>();
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/alerts", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            int n = calls.incrementAndGet();
            if (n == 1) {
                ex.sendResponseHeaders(503, -1); // the first post fails: it is retried
            } else {
                posts.add(new Post(new String(body, StandardCharsets.UTF_8), ex.getRequestHeaders().getFirst("X-Switchboard-Signature")));
                ex.sendResponseHeaders(204, -1);
            }
            ex.close();
        });
        hook.start();
        String secret = "alert-secret";
        Config config = TestServer.config(dir, true, Optional.empty())
                .with(Config.DASHBOARDS, Optional.of(dashboards))
                .with(Config.ALERT_WEBHOOK, Optional.of("http://127.0.0.1:" + hook.getAddress().getPort() + "/alerts"))
                .with(Config.ALERT_WEBHOOK_SECRET, Optional.of(secret));
        try (TestServer server = new TestServer(dir, config, dev.switchboard.limits.Limits.DEFAULTS);
             SseClient sse = new SseClient(server.sb.port(), "/api/events/t1?dashboards=watch", null)) {
            sse.await(e -> e.type().equals("snapshot"), Duration.ofSeconds(20));
            String now = Instant.now().toString();
            server.post("/api/ingest/t1/call_logs", "[{\"id\":\"a\",\"status\":\"active\",\"started_at\":\"" + now + "\"},"
                    + "{\"id\":\"b\",\"status\":\"active\",\"started_at\":\"" + now + "\"}]");
            SseClient.Event fired = sse.await(e -> e.type().equals("alert"), Duration.ofSeconds(20));
            assertThat(fired.data().path("state").asString()).isEqualTo("firing");
            assertThat(fired.data().path("value").asLong()).isEqualTo(2);
            assertThat(fired.data().path("message").asString()).isEqualTo("More than one call at once");
            assertThat(fired.id()).isNotEmpty();

            JsonNode listed = TestServer.json(server.get("/api/alerts/t1"));
            assertThat(listed.path("firing")).hasSize(1);
            assertThat(listed.path("firing").get(0).path("widget").asString()).isEqualTo("active");
            assertThat(TestServer.json(server.get("/api/alerts/t2")).path("firing")).isEmpty(); // another tenant's alerts are its own

            Post post = posts.poll(30, TimeUnit.SECONDS);
            assertThat(post).as("the webhook post, retried after a 503").isNotNull();
            assertThat(TestServer.JSON.readTree(post.body()).path("state").asString()).isEqualTo("firing");
            assertThat(post.signature()).isEqualTo("sha256=" + dev.switchboard.auth.Signatures.hmacSha256Hex(secret, post.body().getBytes(StandardCharsets.UTF_8)));

            server.post("/api/ingest/t1/call_logs", "{\"id\":\"b\",\"status\":\"ended\"}");
            assertThat(sse.await(e -> e.type().equals("alert"), Duration.ofSeconds(20)).data().path("state").asString()).isEqualTo("resolved");
            Post resolved = posts.poll(30, TimeUnit.SECONDS);
            assertThat(TestServer.JSON.readTree(resolved.body()).path("state").asString()).isEqualTo("resolved");
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(TestServer.json(server.get("/api/alerts/t1")).path("firing")).isEmpty());
            assertThat(TestServer.json(server.get("/api/alerts/t1")).path("recent")).hasSize(2);
        } finally {
            hook.stop(0);
        }
    }
}
