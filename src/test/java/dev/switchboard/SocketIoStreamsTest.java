package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.socketio.NodeClient;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * Switchboard's streams over Socket.IO, with the real socket.io-client (Node): the same events as
 * SSE, positions as offsets, and connection state recovery exact across random cuts, on polling,
 * WebSocket and the upgrade between them.
 */
class SocketIoStreamsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"polling", "websocket", "polling,websocket"})
    void randomCuts_whileChangesFlow_everyChangeOnceInOrder(String transports) throws Exception {
        try (TestServer server = new TestServer(dir)) {
            String auth = "{\"tenant\":\"t1\",\"dashboards\":[\"calls\"],\"datasets\":[\"call_logs\"]}";
            CompletableFuture<JsonNode> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return NodeClient.run("recorder.mjs", List.of("--url", server.base(), "--auth", auth, "--transports", transports,
                            "--duration-ms", "9000", "--drops", "4", "--drop-min-ms", "300", "--drop-max-ms", "1500", "--keep-args",
                            "--seed", String.valueOf(ThreadLocalRandom.current().nextInt(1_000_000))), 90);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // the client has registered (its dashboard and dataset topics) before the first change: it then
            // receives every change as an event (its opening snapshot carries the position it resumes from)
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).pollInterval(java.time.Duration.ofMillis(100))
                    .until(() -> TestServer.json(server.get("/api/health")).path("subscribers").asInt() >= 2);
            List<String> posted = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                String key = "k" + i;
                server.post("/api/ingest/t1/call_logs", "{\"id\":\"" + key + "\",\"status\":\"active\",\"started_at\":\""
                        + Instant.now().minusSeconds(30) + "\"}");
                posted.add(key);
                Thread.sleep(ThreadLocalRandom.current().nextInt(20, 100));
            }
            JsonNode out = run.get(120, TimeUnit.SECONDS);
            assertThat(out.path("ok").asBoolean()).as(out.toString()).isTrue();
            assertThat(out.path("drops").asInt()).isGreaterThan(0);
            // (offsets repeat by design: a change and the delta it caused share a position)
            List<String> keys = new ArrayList<>();
            boolean snapshot = false;
            for (JsonNode e : out.path("events")) {
                switch (e.path("event").asString()) {
                    case "change" -> keys.add(e.path("args").get(0).path("key").asString());
                    case "snapshot" -> snapshot = true;
                    default -> { }
                }
            }
            assertThat(snapshot).isTrue();
            assertThat(keys).containsExactlyElementsOf(posted);
            assertThat(out.path("connections").size()).isGreaterThan(1);
        }
    }

    @Test
    void handshake_forAnotherTenant_isRefusedWithAReason() throws Exception {
        try (TestServer server = new TestServer(dir, false, Optional.of(AuthTest.SECRET))) {
            String token = AuthTest.token("A", "u1", null, null, Instant.now().plusSeconds(600));
            JsonNode out = NodeClient.run("recorder.mjs", List.of("--url", server.base(), "--auth",
                    "{\"token\":\"" + token + "\",\"tenant\":\"B\",\"datasets\":[\"call_logs\"]}", "--timeout-ms", "10000"), 60);
            assertThat(out.path("ok").asBoolean()).isFalse();
            assertThat(out.path("error").asString()).contains("tenant 'B'");
            JsonNode ok = NodeClient.run("recorder.mjs", List.of("--url", server.base(), "--auth",
                    "{\"token\":\"" + token + "\",\"tenant\":\"A\",\"datasets\":[\"call_logs\"],\"dashboards\":[\"calls\"]}",
                    "--count", "1"), 60);
            assertThat(ok.path("ok").asBoolean()).as(ok.toString()).isTrue();
            assertThat(ok.path("events").get(0).path("event").asString()).isEqualTo("snapshot");
        }
    }

    /**
     * Issue 12, finding 7: a Socket.IO connection is a stream like any other: it counts against the
     * same per-subject cap as SSE (both ways), is refused with a reason, and frees its place when it ends.
     */
    @Test
    void handshakes_countAgainstTheStreamCaps_ofEveryTransport() throws Exception {
        try (TestServer server = new TestServer(dir, false, Optional.of(AuthTest.SECRET),
                dev.switchboard.limits.Limits.fromEnvironment(java.util.Map.of("SWITCHBOARD_STREAMS_PER_SUBJECT", "2")))) {
            String token = AuthTest.token("a", "u1", null, null, Instant.now().plusSeconds(600));
            String sse = "/api/events/a?dashboards=calls&access_token=" + token;
            String auth = "{\"token\":\"" + token + "\",\"tenant\":\"a\",\"dashboards\":[\"calls\"]}";
            try (SseClient first = new SseClient(server.sb.port(), sse, null)) {
                first.await(e -> e.type().equals("snapshot"), java.time.Duration.ofSeconds(10));
                // a Socket.IO client holds the second place for a while
                CompletableFuture<JsonNode> holder = CompletableFuture.supplyAsync(() -> {
                    try {
                        return NodeClient.run("recorder.mjs", List.of("--url", server.base(), "--auth", auth, "--duration-ms", "6000"), 60);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                        .until(() -> TestServer.json(server.get("/api/health")).path("sse_sessions").asInt() == 2);
                var third = server.get(sse);
                assertThat(third.statusCode()).isEqualTo(429);
                assertThat(TestServer.json(third).path("error").asString()).contains("too many open streams");
                JsonNode refused = NodeClient.run("recorder.mjs", List.of("--url", server.base(), "--auth", auth, "--timeout-ms", "10000"), 60);
                assertThat(refused.path("ok").asBoolean()).as(refused.toString()).isFalse();
                assertThat(refused.path("error").asString()).contains("too many open streams").contains("u1");
                assertThat(holder.get(60, TimeUnit.SECONDS).path("ok").asBoolean()).isTrue();
            }
            // both places are free again: a Socket.IO client connects
            JsonNode ok = NodeClient.run("recorder.mjs", List.of("--url", server.base(), "--auth", auth, "--count", "1"), 60);
            assertThat(ok.path("ok").asBoolean()).as(ok.toString()).isTrue();
        }
    }

    /** A viewer confined to a scope streams its own slice of a dataset over Socket.IO, as over SSE and WebSocket: never another subject's rows. */
    @Test
    void aScopedToken_streamsItsSliceOfADataset() throws Exception {
        try (TestServer server = new TestServer(dir, false, Optional.of(AuthTest.SECRET))) {
            String agent = AuthTest.token("t1", "agent-1", "agent", null, Instant.now().plusSeconds(600));
            String writer = AuthTest.token("t1", "w", null, "writer", Instant.now().plusSeconds(600));
            String auth = "{\"token\":\"" + agent + "\",\"tenant\":\"t1\",\"dashboards\":[\"calls\"],\"datasets\":[\"call_logs\"]}";
            CompletableFuture<JsonNode> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return NodeClient.run("recorder.mjs", List.of("--url", server.base(), "--auth", auth, "--duration-ms", "6000", "--keep-args"), 60);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).pollInterval(java.time.Duration.ofMillis(100))
                    .until(() -> TestServer.json(server.get("/api/health")).path("subscribers").asInt() >= 2);
            for (int i = 0; i < 6; i++) {
                var r = server.post("/api/ingest/t1/call_logs", "{\"id\":\"c" + i + "\",\"status\":\"active\",\"agent_config_id\":\"agent-" + (1 + i % 2)
                        + "\",\"started_at\":\"" + Instant.now().minusSeconds(30) + "\"}", "Authorization", "Bearer " + writer);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            }
            JsonNode out = run.get(90, TimeUnit.SECONDS);
            assertThat(out.path("ok").asBoolean()).as(out.toString()).isTrue();
            List<String> keys = new ArrayList<>();
            for (JsonNode e : out.path("events")) {
                if (e.path("event").asString().equals("change")) {
                    keys.add(e.path("args").get(0).path("key").asString());
                }
            }
            assertThat(keys).containsExactly("c0", "c2", "c4");
        }
    }
}
