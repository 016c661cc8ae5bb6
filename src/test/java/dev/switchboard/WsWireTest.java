package dev.switchboard;

import static dev.switchboard.WsClient.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.live.Equality;
import dev.switchboard.live.ViewKey;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The native WebSocket protocol over a real port with a real client (the JDK's). */
class WsWireTest {
    static final Duration WAIT = Duration.ofSeconds(15);
    @TempDir
    Path dir;

    /** The widgets after applying a stream's snapshots and deltas, in order, to what was already seen. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> folded(Map<String, Object> seen, List<JsonNode> stream) {
        Map<String, Object> out = new java.util.LinkedHashMap<>(seen);
        for (JsonNode n : stream) {
            switch (n.path("event").asString()) {
                case "snapshot" -> {
                    out.clear();
                    out.putAll(TestServer.JSON.convertValue(n.path("data").path("widgets"), Map.class));
                }
                case "delta" -> out.putAll(TestServer.JSON.convertValue(n.path("data").path("widgets"), Map.class));
                default -> { }
            }
        }
        return out;
    }

    private static String call(String id) {
        return "{\"id\":\"" + id + "\",\"status\":\"active\",\"started_at\":\"" + Instant.now().minusSeconds(60) + "\"}";
    }

    @Test
    void stream_snapshotThenChangesAndDeltas_sameDataAsSse() throws Exception {
        try (TestServer server = new TestServer(dir); WsClient ws = new WsClient(server.sb.port(), "/api/events/t1?dashboards=calls&datasets=call_logs")) {
            JsonNode snap = ws.await(event("snapshot"), WAIT);
            assertThat(snap.path("id").asString()).isEqualTo(snap.path("data").path("position").asString());
            assertThat(snap.path("data").path("widgets").has("active_calls")).isTrue();
            server.post("/api/ingest/t1/call_logs", call("w1"));
            JsonNode change = ws.await(event("change"), WAIT);
            assertThat(change.path("data").path("key").asString()).isEqualTo("w1");
            assertThat(change.path("data").path("after").path("status").asString()).isEqualTo("active");
            JsonNode delta = ws.await(event("delta"), WAIT);
            assertThat(delta.path("data").path("widgets").path("active_calls").asLong()).isEqualTo(1);
        }
    }

    @Test
    void clientMessages_pingSubscribeUnsubscribe_andBadMessages_getAnErrorAndTheConnectionStays() throws Exception {
        try (TestServer server = new TestServer(dir); WsClient ws = new WsClient(server.sb.port(), "/api/events/t1")) {
            ws.send("{\"action\":\"ping\"}");
            ws.await(event("pong"), WAIT);
            for (String bad : List.of("not json", "[1,2]", "{\"action\":\"dance\"}", "{\"action\":\"subscribe\",\"dashboards\":\"calls\"}",
                    "{\"action\":\"subscribe\",\"dashboards\":[\"nope\"]}", "{\"action\":\"resume\"}")) {
                ws.send(bad);
                JsonNode err = ws.await(event("error"), WAIT);
                assertThat(err.path("data").path("error").asString()).as(bad).isNotBlank();
                assertThat(err.path("data").path("status").asInt()).isBetween(400, 404);
            }
            ws.send("{\"action\":\"subscribe\",\"dashboards\":[\"calls\"],\"params\":{\"hours\":24}}");
            JsonNode snap = ws.await(event("snapshot"), WAIT);
            assertThat(snap.path("data").path("dashboard").asString()).isEqualTo("calls");
            ws.send("{\"action\":\"subscribe\",\"datasets\":[\"call_logs\"]}");
            ws.send("{\"action\":\"ping\"}");
            ws.await(event("pong"), WAIT);
            server.post("/api/ingest/t1/call_logs", call("s1"));
            assertThat(ws.await(event("change"), WAIT).path("data").path("key").asString()).isEqualTo("s1");
            ws.send("{\"action\":\"unsubscribe\",\"datasets\":[\"call_logs\"]}");
            ws.send("{\"action\":\"ping\"}");
            ws.await(event("pong"), WAIT);
            int before = (int) ws.all().stream().filter(event("change")).count();
            server.post("/api/ingest/t1/call_logs", call("s2"));
            ws.await(n -> event("delta").test(n) && n.path("data").path("widgets").path("active_calls").asLong() == 2, WAIT);
            assertThat(ws.all().stream().filter(event("change")).count()).isEqualTo(before);
            // the dashboard stream continued across the changes of what it watches: one snapshot, no repeats
            assertThat(ws.all().stream().filter(event("snapshot")).count()).isEqualTo(1);
        }
    }

    /** Issue 12, finding 4: a subscribe that would pass the view limit is refused with an error frame; the stream goes on. */
    @Test
    void subscribeBeyondTheViewLimit_getsA429ErrorFrame_andTheConnectionKeepsItsStreams() throws Exception {
        try (TestServer server = new TestServer(dir); WsClient ws = new WsClient(server.sb.port(), "/api/events/t1?dashboards=calls&hours=1")) {
            server.sb.engine().maxViewsPerPrincipal(2);
            ws.await(event("snapshot"), WAIT);
            ws.send("{\"action\":\"subscribe\",\"dashboards\":[\"calls\"],\"params\":{\"hours\":2}}");
            ws.await(n -> event("snapshot").test(n) && n.path("data").path("params").path("range").asString().equals("2h") /* ?hours=2 is the range 2h */, WAIT);
            assertThat(ws.all().stream().filter(event("snapshot")).count()).isEqualTo(2);
            ws.send("{\"action\":\"subscribe\",\"dashboards\":[\"calls\"],\"params\":{\"hours\":3}}");
            JsonNode err = ws.await(event("error"), WAIT);
            assertThat(err.path("data").path("status").asInt()).isEqualTo(429);
            assertThat(err.path("data").path("error").asString()).contains("2 live views");
            ws.send("{\"action\":\"ping\"}");
            ws.await(event("pong"), WAIT);
            // both dashboards it had still stream, and the refused one does not
            server.post("/api/ingest/t1/call_logs", call("v1"));
            Awaitility.await().atMost(WAIT).until(() -> ws.all().stream().filter(event("delta"))
                    .filter(n -> n.path("data").path("widgets").path("active_calls").asLong() == 1).count() == 2);
            assertThat(ws.all()).noneMatch(n -> n.path("data").path("params").path("range").asString().equals("3h"));
            // and a later subscribe within the limit works
            ws.send("{\"action\":\"unsubscribe\",\"dashboards\":[\"calls\"]}");
            ws.send("{\"action\":\"subscribe\",\"datasets\":[\"call_logs\"]}");
            ws.send("{\"action\":\"ping\"}");
            ws.await(event("pong"), WAIT); // written after the new opening: the dataset is registered
            server.post("/api/ingest/t1/call_logs", call("v2"));
            assertThat(ws.await(event("change"), WAIT).path("data").path("key").asString()).isEqualTo("v2");
        }
    }

    @Test
    void cutsAtRandom_whileChangesFlow_resumeWithLastId_everyChangeOnceInOrder_dashboardEqualsSql() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            String path = "/api/events/t1?dashboards=calls&datasets=call_logs";
            List<String> keys = new ArrayList<>();
            String last = null;
            java.util.Map<String, Object> widgets = new java.util.LinkedHashMap<>();
            int posted = 0;
            for (int cut = 0; cut < 6; cut++) {
                WsClient ws = new WsClient(server.sb.port(), last == null ? path : path + "&lastEventId=" + last);
                ws.await(n -> event("snapshot").test(n) || event("delta").test(n) || event("change").test(n), WAIT);
                int burst = ThreadLocalRandom.current().nextInt(5, 40);
                for (int i = 0; i < burst; i++) {
                    server.post("/api/ingest/t1/call_logs", call("r" + posted++));
                }
                Thread.sleep(ThreadLocalRandom.current().nextInt(0, 50)); // cut at a random moment, maybe mid-burst
                ws.close();
                for (JsonNode n : ws.all()) {
                    if (n.has("id")) {
                        last = n.path("id").asString();
                    }
                    if (n.path("event").asString().equals("change")) {
                        keys.add(n.path("data").path("key").asString());
                    }
                }
                Map<String, Object> seen = folded(widgets, ws.all());
                widgets.clear();
                widgets.putAll(seen);
            }
            ViewKey k = server.sb.engine().definitions().key(server.sb.engine().definitions().find("calls").orElseThrow(), "t1", "", "", Map.of());
            try (WsClient ws = new WsClient(server.sb.port(), path + "&lastEventId=" + last)) {
                int total = posted;
                // the dashboard's last delta may follow the last change by a refresh tick: wait (bounded) for it
                Awaitility.await().atMost(WAIT).until(() -> keys.size() + ws.all().stream().filter(event("change")).count() >= total
                        && Equality.sameValues(folded(widgets, ws.all()), server.sb.engine().sqlValues(k, System.currentTimeMillis())));
                for (JsonNode n : ws.all()) {
                    if (n.path("event").asString().equals("change")) {
                        keys.add(n.path("data").path("key").asString());
                    }
                }
                Map<String, Object> end = folded(widgets, ws.all());
                widgets.clear();
                widgets.putAll(end);
            }
            List<String> want = new ArrayList<>();
            for (int i = 0; i < posted; i++) {
                want.add("r" + i);
            }
            assertThat(keys).containsExactlyElementsOf(want);
            assertThat(Equality.sameValues(widgets, server.sb.engine().sqlValues(k, System.currentTimeMillis()))).isTrue();
        }
    }

    @Test
    void handshake_negotiatesPermessageDeflate() throws Exception {
        try (TestServer server = new TestServer(dir); Socket s = new Socket("127.0.0.1", server.sb.port())) {
            s.getOutputStream().write(("GET /api/events/t1?datasets=call_logs HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            assertThat(in.readLine()).contains("101");
            List<String> headers = new ArrayList<>();
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                headers.add(line.toLowerCase());
            }
            assertThat(headers).anyMatch(h -> h.startsWith("sec-websocket-extensions:") && h.contains("permessage-deflate"));
        }
    }

    @Test
    void authorization_sameAsSse_otherTenantRefused_scopedViewerGetsOnlyItsSliceOfDatasets() throws Exception {
        try (TestServer server = new TestServer(dir, false, java.util.Optional.of(AuthTest.SECRET))) {
            String tokenA = AuthTest.token("A", "u1", null, null, Instant.now().plusSeconds(600));
            var refused = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                    .header("Authorization", "Bearer " + tokenA)
                    .buildAsync(java.net.URI.create("ws://127.0.0.1:" + server.sb.port() + "/api/events/B?datasets=call_logs"),
                            new java.net.http.WebSocket.Listener() { });
            assertThat(refused).failsWithin(WAIT).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .havingCause().isInstanceOf(java.net.http.WebSocketHandshakeException.class);
            String scoped = AuthTest.token("A", "agent-1", "agent", null, Instant.now().plusSeconds(600));
            try (WsClient ws = new WsClient(server.sb.port(), "/api/events/A?dashboards=calls&access_token=" + scoped)) {
                JsonNode snap = ws.await(event("snapshot"), WAIT);
                assertThat(snap.path("data").path("subject").asString()).isEqualTo("agent-1");
                ws.send("{\"action\":\"subscribe\",\"datasets\":[\"leads\"]}");
                assertThat(ws.await(event("error"), WAIT).path("data").path("status").asInt()).as("a dataset its scope does not cover")
                        .isEqualTo(403);
                ws.send("{\"action\":\"subscribe\",\"datasets\":[\"call_logs\"]}");
                ws.send("{\"action\":\"ping\"}");
                ws.await(event("pong"), WAIT);
                String writer = "Bearer " + AuthTest.token("A", "svc", null, "writer", Instant.now().plusSeconds(600));
                server.post("/api/ingest/A/call_logs", call("theirs").replace("}", ",\"agent_config_id\":\"agent-2\"}"), "Authorization", writer);
                server.post("/api/ingest/A/call_logs", call("mine").replace("}", ",\"agent_config_id\":\"agent-1\"}"), "Authorization", writer);
                JsonNode change = ws.await(event("change"), WAIT);
                assertThat(change.path("data").path("key").asString()).as("only its own rows, the other agent's never").isEqualTo("mine");
            }
        }
    }
}
