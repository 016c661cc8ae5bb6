package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.socketio.NodeClient;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Seed 002's "WebSocket Test" (seeds/002_040115d94fe3f3ad.txt l.412-428) with the real npm
 * socket.io-client, unchanged: {@code io(url, {auth: {user_id}})}, {@code connected},
 * {@code initial_state}, {@code subscribe {stream: 'metrics'}}; then a call starts and the client
 * sees {@code call_event} (call_started), {@code metrics_update} and {@code active_calls_update}
 * (l.259-293), and {@code ping} gets {@code pong} (l.233-236, 295-300).
 */
class Seed002CallCenterSocketIoTest {
    @TempDir
    Path dir;

    @Test
    void theSeedsSocketIoSnippet_l412_getsItsEvents() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            JsonNode r = NodeClient.run("seed002.mjs", List.of("--url", server.base(), "--user", "test_user"), 40);
            assertThat(r.path("ok").asBoolean()).as(r.toString()).isTrue();
            assertThat(r.path("connected").path("user_id").asString()).isEqualTo("test_user");
            assertThat(r.path("connected").path("sid").asString()).isNotEmpty();
            JsonNode initial = r.path("initial_state");
            for (String field : List.of("active_calls", "metrics", "recent_calls", "outcome_distribution", "timestamp")) {
                assertThat(initial.has(field)).as(field).isTrue();
            }
            assertThat(initial.path("metrics").path("period_hours").asInt()).isEqualTo(24);
            List<String> names = new ArrayList<>();
            JsonNode started = null;
            JsonNode active = null;
            JsonNode metrics = null;
            for (JsonNode e : r.path("events")) {
                names.add(e.path("event").asString());
                switch (e.path("event").asString()) {
                    case "call_event" -> started = e.path("data");
                    case "active_calls_update" -> active = e.path("data");
                    case "metrics_update" -> metrics = e.path("data");
                    default -> { }
                }
            }
            assertThat(names).contains("pong", "subscribed");
            assertThat(started.path("type").asString()).isEqualTo("call_started");
            assertThat(started.path("call").path("phoneNumber").asString()).isEqualTo("+15550199");
            assertThat(started.path("call").path("agentConfigId").asString()).isEqualTo("agent-a");
            assertThat(started.path("timestamp").asString()).isNotEmpty();
            assertThat(active.path("count").asInt()).isEqualTo(1).isEqualTo(active.path("active_calls").size());
            assertThat(active.path("active_calls").get(0).path("id").asString()).isEqualTo("sio-call-1");
            // the seed's call shape: the table's columns in camelCase, not the dashboard's looked-up agent.name
            assertThat(active.path("active_calls").get(0).propertyNames()).contains("agentConfigId", "livekitRoomName", "startedAt")
                    .noneMatch(n -> n.contains("."));
            assertThat(metrics.path("metrics").path("active_calls").asInt()).isEqualTo(1);
            assertThat(metrics.path("metrics").path("total_calls").asInt()).isEqualTo(1);
        }
    }

    @Test
    void withTokens_theUserIdMustBeOneTheTokenGrants() throws Exception {
        try (TestServer server = new TestServer(dir, false, Optional.of(AuthTest.SECRET))) {
            String token = AuthTest.token("test_user", "v", null, null, Instant.now().plusSeconds(600));
            String writer = AuthTest.token("test_user", "w", null, "writer", Instant.now().plusSeconds(600));
            JsonNode ok = NodeClient.run("seed002.mjs", List.of("--url", server.base(), "--user", "test_user", "--token", token,
                    "--ingest-token", writer), 40);
            assertThat(ok.path("ok").asBoolean()).as(ok.toString()).isTrue();
            JsonNode other = NodeClient.run("seed002.mjs", List.of("--url", server.base(), "--user", "someone-else", "--token", token), 40);
            assertThat(other.path("ok").asBoolean()).isFalse();
            assertThat(other.path("error").asString()).contains("connect_error").contains("does not grant access");
            JsonNode none = NodeClient.run("seed002.mjs", List.of("--url", server.base(), "--user", "test_user"), 40);
            assertThat(none.path("error").asString()).contains("authentication required");
        }
    }
}
