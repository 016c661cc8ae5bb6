package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.pg.PgDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Issue 12, finding 13: row keys are private to a tenant. A writer of tenant A cannot learn
 * whether a key exists in tenant B (no "already used by another tenant"), cannot take B's
 * predictable keys first, and its updates and deletes of a key never touch B's row of that key;
 * on SQLite and on PostgreSQL, over HTTP.
 */
class TenantPrivateKeysTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    @TempDir
    Path dir;

    @Test
    void sqlite_sameKeyInTwoTenants_areTwoRows() throws Exception {
        try (TestServer server = new TestServer(dir, false, Optional.of(AuthTest.SECRET))) {
            scenario(server.sb);
        }
    }

    @Test
    void postgres_sameKeyInTwoTenants_areTwoRows() throws Exception {
        try (PgDatabase db = PgDatabase.create("keys");
             Switchboard sb = Switchboard.start(new Config(false, "127.0.0.1", 0, dir, Optional.of(db.url), 0, Optional.empty(),
                     Optional.of(AuthTest.SECRET), false, "node1"), Clock.systemUTC())) {
            scenario(sb);
        }
    }

    private void scenario(Switchboard sb) throws Exception {
        Instant exp = Instant.now().plus(Duration.ofHours(1));
        String writerA = AuthTest.bearer(AuthTest.token("A", "backend-a", null, "writer", exp));
        String writerB = AuthTest.bearer(AuthTest.token("B", "backend-b", null, "writer", exp));
        String viewerA = AuthTest.bearer(AuthTest.token("A", "viewer-a", null, null, exp));
        String viewerB = AuthTest.bearer(AuthTest.token("B", "viewer-b", null, null, exp));
        Http http = new Http(sb.port());
        try (SseClient streamB = new SseClient(sb.port(), "/api/events/B?datasets=call_logs&access_token="
                + viewerB.substring("Bearer ".length()), null)) {
            // A takes the key B will use; B's write of it is not refused, and A's answer says nothing about B
            var a = http.post("/api/ingest/A/call_logs", call("order-1001", "active"), writerA);
            assertThat(a.statusCode()).isEqualTo(200);
            var b = http.post("/api/ingest/B/call_logs", call("order-1001", "active"), writerB);
            assertThat(b.statusCode()).as(b.body()).isEqualTo(200);
            var aAgain = http.post("/api/ingest/A/call_logs", call("order-1001", "active"), writerA);
            var aFresh = http.post("/api/ingest/A/call_logs", call("order-2002", "active"), writerA);
            assertThat(aAgain.statusCode()).isEqualTo(aFresh.statusCode()).isEqualTo(200);
            assertThat(TestServer.json(aAgain).path("count")).isEqualTo(TestServer.json(aFresh).path("count"));
            awaitActive(http, "A", viewerA, 2);
            awaitActive(http, "B", viewerB, 1);

            // A ends and deletes its order-1001: B's row of that key stays as it was
            assertThat(http.post("/api/ingest/A/call_logs", "{\"id\":\"order-1001\",\"status\":\"ended\",\"duration\":7}", writerA)
                    .statusCode()).isEqualTo(200);
            awaitActive(http, "A", viewerA, 1);
            assertThat(http.delete("/api/ingest/A/call_logs/order-1001", writerA).statusCode()).isEqualTo(200);
            Awaitility.await().atMost(WAIT).until(() -> widgets(http, "A", viewerA).path("recent_calls").toString().contains("order-1001") == false);
            awaitActive(http, "B", viewerB, 1);
            JsonNode recentB = widgets(http, "B", viewerB).path("recent_calls");
            assertThat(recentB.toString()).contains("order-1001").contains("active");

            // B's stream carried B's own change only
            assertThat(http.post("/api/ingest/B/call_logs", call("order-3003", "active"), writerB).statusCode()).isEqualTo(200);
            streamB.await(e -> e.type().equals("change") && e.data().path("key").asString().equals("order-3003"), WAIT);
            List<SseClient.Event> seen = streamB.drain(Duration.ofMillis(300));
            assertThat(seen).noneMatch(e -> e.data().path("tenant").asString("B").equals("A"));
            // a B writer deleting the key A no longer has, and A deleting a key only B has, change nothing of the other
            assertThat(TestServer.json(http.delete("/api/ingest/A/call_logs/order-3003", writerA)).path("count").asInt()).isZero();
            awaitActive(http, "B", viewerB, 2);
        }
    }

    private static String call(String id, String status) {
        return "{\"id\":\"" + id + "\",\"status\":\"" + status + "\",\"started_at\":\"" + Instant.now().minusSeconds(60) + "\"}";
    }

    private static void awaitActive(Http http, String tenant, String token, long n) {
        Awaitility.await().atMost(WAIT).untilAsserted(() ->
                assertThat(widgets(http, tenant, token).path("active_calls").asLong()).isEqualTo(n));
    }

    private static JsonNode widgets(Http http, String tenant, String token) throws Exception {
        return TestServer.json(http.get("/api/dashboards/calls/" + tenant, token)).path("widgets");
    }

    /** Requests with a bearer token to a server on {@code port}. */
    private record Http(int port, HttpClient client) {
        Http(int port) {
            this(port, HttpClient.newHttpClient());
        }

        HttpResponse<String> get(String path, String auth) throws Exception {
            return send(builder(path, auth).GET());
        }

        HttpResponse<String> post(String path, String json, String auth) throws Exception {
            return send(builder(path, auth).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
        }

        HttpResponse<String> delete(String path, String auth) throws Exception {
            return send(builder(path, auth).DELETE());
        }

        private HttpRequest.Builder builder(String path, String auth) {
            return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20))
                    .header("Authorization", auth);
        }

        private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
