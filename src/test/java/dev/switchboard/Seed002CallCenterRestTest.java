package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Seed 002 (call center, seeds/002_040115d94fe3f3ad.txt): its REST API, lines 63-201, and its own
 * verification steps "Health Check" (l.402-405) and "REST API Test" (l.407-410), run with curl
 * against a real server. Every number equals the native snapshot and SQL over call_logs.
 */
class Seed002CallCenterRestTest {
    @TempDir
    Path dir;

    private static String call(String id, String status, String outcome, Instant started, Integer duration, String agent) {
        return "{\"id\":\"" + id + "\",\"status\":\"" + status + "\",\"started_at\":\"" + started + "\""
                + (outcome == null ? "" : ",\"outcome\":\"" + outcome + "\"") + (duration == null ? "" : ",\"duration\":" + duration)
                + ",\"agent_config_id\":\"" + agent + "\",\"phone_number\":\"+15550100\",\"direction\":\"inbound\""
                + ",\"livekit_room_name\":\"room-" + id + "\",\"metadata\":{\"sentiment\":\"positive\"}}";
    }

    private static String curl(String url) throws Exception {
        Process p = new ProcessBuilder("curl", "-s", "--max-time", "20", url).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    private static long sql(TestServer server, String query) throws Exception {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + server.db()); var rs = c.createStatement().executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void seed(TestServer server, String tenant) throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<String> rows = new ArrayList<>();
        rows.add(call("c1", "ended", "completed", now.minus(Duration.ofHours(1)), 60, "agent-a"));
        rows.add(call("c2", "ended", "completed", now.minus(Duration.ofHours(2)), 120, "agent-a"));
        rows.add(call("c3", "ended", "no_answer", now.minus(Duration.ofHours(3)), 30, "agent-b"));
        rows.add(call("c4", "ended", "failed", now.minus(Duration.ofHours(30)), 5, "agent-b"));
        rows.add(call("c5", "active", null, now.minus(Duration.ofSeconds(90)), null, "agent-a"));
        rows.add(call("c6", "active", null, now.minus(Duration.ofHours(50)), null, "agent-b"));
        assertThat(server.post("/api/ingest/" + tenant + "/call_logs", "[" + String.join(",", rows) + "]").statusCode()).isEqualTo(200);
        assertThat(server.post("/api/ingest/other-tenant/call_logs", call("x1", "active", null, now, null, "agent-z")).statusCode()).isEqualTo(200);
    }

    @Test
    void healthCheck_l402_andRestApiTest_l407_withCurl() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            seed(server, "test_user");
            JsonNode health = TestServer.JSON.readTree(curl(server.base() + "/api/dashboard/health"));
            assertThat(health.path("status").asString()).isEqualTo("healthy");
            assertThat(health.path("websocket_enabled").asBoolean()).isTrue();

            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode r = TestServer.JSON.readTree(curl(server.base() + "/api/dashboard/metrics?user_id=test_user&hours=24"));
                assertThat(r.path("success").asBoolean()).isTrue();
                assertThat(r.path("user_id").asString()).isEqualTo("test_user");
                JsonNode m = r.path("metrics");
                assertThat(m.path("period_hours").asInt()).isEqualTo(24);
                String window = "user_id='test_user' AND started_at >= strftime('%Y-%m-%dT%H:%M:%fZ','now','-24 hours')";
                assertThat(m.path("total_calls").asLong()).isEqualTo(sql(server, "SELECT count(*) FROM call_logs WHERE " + window)).isEqualTo(4);
                assertThat(m.path("active_calls").asLong()).isEqualTo(sql(server, "SELECT count(*) FROM call_logs WHERE user_id='test_user' AND status='active'")).isEqualTo(2);
                assertThat(m.path("completed_calls").asLong()).isEqualTo(2);
                assertThat(m.path("average_duration").asDouble()).isEqualTo(70.0); // (60+120+30)/3 ended calls in the window
                // completed out of every call in the window, as the per-agent table counts: 2 of 4
                assertThat(m.path("success_rate").asDouble()).isEqualTo(50.0);
                assertThat(m.path("outcome_counts").path("completed").asLong()).isEqualTo(2);
                assertThat(m.path("outcome_counts").path("no_answer").asLong()).isEqualTo(1);
                // the same numbers as the native snapshot
                JsonNode w = TestServer.json(server.get("/api/dashboards/calls/test_user?hours=24")).path("widgets");
                for (String k : List.of("total_calls", "active_calls", "completed_calls", "average_duration", "success_rate", "outcome_counts")) {
                    assertThat(m.path(k)).as(k).isEqualTo(w.path(k));
                }
            });
            assertThat(TestServer.JSON.readTree(curl(server.base() + "/api/dashboard/metrics?user_id=test_user&hours=168"))
                    .path("metrics").path("total_calls").asLong()).isEqualTo(6);
        }
    }

    @Test
    void activeRecentAgentsAndHourly_matchTheLiveViewsAndSql() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            seed(server, "test_user");
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode active = TestServer.json(server.get("/api/dashboard/active-calls?user_id=test_user"));
                assertThat(active.path("success").asBoolean()).isTrue();
                assertThat(active.path("count").asInt()).isEqualTo(2).isEqualTo(active.path("active_calls").size());
                JsonNode c5 = active.path("active_calls").get(0);
                assertThat(c5.path("id").asString()).isEqualTo("c5"); // newest first
                assertThat(c5.path("phoneNumber").asString()).isEqualTo("+15550100");
                assertThat(c5.path("agentConfigId").asString()).isEqualTo("agent-a");
                assertThat(c5.path("livekitRoomName").asString()).isEqualTo("room-c5");
                assertThat(c5.path("startedAt").asString()).isNotEmpty();
                assertThat(c5.path("duration").asLong()).isBetween(90L, 90L + 60); // live: seconds since it started
                assertThat(c5.path("call_metadata").path("sentiment").asString()).isEqualTo("positive");

                JsonNode recent = TestServer.json(server.get("/api/dashboard/recent-calls?user_id=test_user&limit=3"));
                assertThat(recent.path("count").asInt()).isEqualTo(3);
                List<String> ids = new ArrayList<>();
                recent.path("calls").forEach(c -> ids.add(c.path("id").asString()));
                assertThat(ids).containsExactly("c5", "c1", "c2");
                assertThat(TestServer.json(server.get("/api/dashboard/recent-calls?user_id=test_user")).path("count").asInt()).isEqualTo(6);

                JsonNode agents = TestServer.json(server.get("/api/dashboard/agent-performance?user_id=test_user&hours=24"));
                assertThat(agents.path("period_hours").asInt()).isEqualTo(24);
                assertThat(agents.path("count").asInt()).isEqualTo(2);
                JsonNode nativeAgents = TestServer.json(server.get("/api/dashboards/calls/test_user?hours=24")).path("widgets").path("agents");
                for (int i = 0; i < nativeAgents.size(); i++) {
                    JsonNode a = agents.path("agents").get(i);
                    JsonNode n = nativeAgents.get(i);
                    assertThat(a.path("agentConfigId")).isEqualTo(n.path("agent_config_id"));
                    assertThat(a.path("total_calls")).isEqualTo(n.path("total_calls"));
                    assertThat(a.path("success_rate")).isEqualTo(n.path("success_rate"));
                }
                JsonNode a = agents.path("agents").get(0);
                assertThat(a.path("agentConfigId").asString()).isEqualTo("agent-a");
                assertThat(a.path("total_calls").asLong()).isEqualTo(3);
                assertThat(a.path("completed_calls").asLong()).isEqualTo(2);

                JsonNode hourly = TestServer.json(server.get("/api/dashboard/calls-per-hour?user_id=test_user&hours=24"));
                assertThat(hourly.path("period_hours").asInt()).isEqualTo(24);
                long sum = 0;
                for (var e : hourly.path("data").properties()) {
                    assertThat(e.getKey()).matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:00");
                    sum += e.getValue().asLong();
                }
                assertThat(sum).isEqualTo(4);
            });
        }
    }

    @Test
    void badParameters_getTheSeedsValidationErrors() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            for (String q : List.of("/api/dashboard/metrics?user_id=u&hours=0", "/api/dashboard/metrics?user_id=u&hours=169",
                    "/api/dashboard/metrics?user_id=u&hours=abc", "/api/dashboard/agent-performance?user_id=u&hours=500",
                    "/api/dashboard/calls-per-hour?user_id=u&hours=-1", "/api/dashboard/recent-calls?user_id=u&limit=0",
                    "/api/dashboard/recent-calls?user_id=u&limit=101", "/api/dashboard/metrics", "/api/dashboard/active-calls?user_id=",
                    "/api/dashboard/metrics?user_id=bad%20name")) {
                var r = server.get(q);
                assertThat(r.statusCode()).as(q).isEqualTo(400);
                JsonNode body = TestServer.json(r);
                assertThat(body.path("error").asString()).as(q).isNotEmpty();
                if (!q.contains("bad%20name")) {
                    assertThat(body.path("success").asBoolean(true)).as(q).isFalse();
                }
            }
            assertThat(server.get("/api/dashboard/metrics?user_id=u&hours=169").body()).contains("hours must be between 1 and 168");
            assertThat(server.get("/api/dashboard/recent-calls?user_id=u&limit=101").body()).contains("limit must be between 1 and 100");
            assertThat(server.post("/api/dashboard/metrics?user_id=u", "{}").statusCode()).isEqualTo(405);
        }
    }

    @Test
    void withTokens_theTenantIsTheTokens_andAnotherUserIdIsRefused() throws Exception {
        try (TestServer server = new TestServer(dir, false, Optional.of(AuthTest.SECRET))) {
            String writer = AuthTest.token("test_user", "w", null, "writer", Instant.now().plusSeconds(600));
            assertThat(server.post("/api/ingest/test_user/call_logs", call("c1", "active", null, Instant.now(), null, "agent-a"),
                    "Authorization", "Bearer " + writer).statusCode()).isEqualTo(200);
            String viewer = AuthTest.token("test_user", "v", null, null, Instant.now().plusSeconds(600));
            assertThat(server.get("/api/dashboard/metrics?user_id=test_user").statusCode()).isEqualTo(401);
            var own = server.get("/api/dashboard/active-calls", "Authorization", "Bearer " + viewer);
            assertThat(own.statusCode()).isEqualTo(200);
            assertThat(TestServer.json(own).path("user_id").asString()).isEqualTo("test_user");
            var other = server.get("/api/dashboard/metrics?user_id=other-tenant", "Authorization", "Bearer " + viewer);
            assertThat(other.statusCode()).isEqualTo(403);
            assertThat(other.body()).doesNotContain("total_calls");
            assertThat(server.get("/api/dashboard/health").statusCode()).isEqualTo(200); // health needs no token, as in the seed
        }
    }
}
