package dev.switchboard;

import static dev.switchboard.Seed004Data.ACCOUNT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Seed 004's WebSocket (seeds/004_019b0cdce720d0bc.txt l.33-50, 88-102) over a real port with the
 * JDK's WebSocket client: the envelope {@code {type, data, timestamp}}, the client's subscribe and
 * unsubscribe actions, and the seed's own checks: U1 "should connect to WebSocket on mount"
 * (l.212-219), M1 the mock server's {@code metrics_update} (l.186-203: campaignId, activeCalls,
 * queueDepth, dialingRate), and troubleshooting T3 "Verify backend is sending updates" (l.235).
 * The messages' numbers are those of {@code GET /analytics/metrics}.
 */
class Seed004DialerSocketTest {
    static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    static Predicate<JsonNode> type(String type) {
        return n -> n.path("type").asString("").equals(type);
    }

    static Predicate<JsonNode> metrics(String campaign) {
        return n -> type("metrics_update").test(n) && n.path("data").path("campaignId").asString("").equals(campaign);
    }

    @Test
    void hook_U1_l212_connectsOnMount_M1_l186_getsMetricsUpdates_T3_l235_backendSendsUpdates() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            Seed004Data.write(server);
            try (WsClient ws = new WsClient(server.sb.port(), "/ws?account=" + ACCOUNT)) {
                // U1: the connection is open (isConnected === true), and without a subscription it gets every campaign
                JsonNode run = ws.await(metrics("c-run"), WAIT);
                assertThat(run.path("timestamp").asString()).isNotEmpty();
                assertThat(Instant.parse(run.path("timestamp").asString())).isNotNull();
                JsonNode data = run.path("data");
                for (String field : List.of("campaignId", "activeCalls", "queueDepth", "dialingRate")) {
                    assertThat(data.has(field)).as("M1's fields: " + field).isTrue();
                }
                JsonNode rest = TestServer.json(server.get("/analytics/metrics?account=" + ACCOUNT)).path("campaignMetrics").path("c-run");
                assertThat(data.path("activeCalls")).isEqualTo(rest.path("activeCalls"));
                assertThat(data.path("queueDepth")).isEqualTo(rest.path("queueDepth"));
                ws.await(metrics("c-two"), WAIT);

                // M1 / T3: a change sends the changed campaign's metrics, and the call's own event
                Seed004Data.post(server, "call_attempts", List.of(Seed004Data.attempt("n1", "c-two", "dialing", null, Duration.ZERO)));
                JsonNode call = ws.await(type("call_event"), WAIT);
                assertThat(call.path("data").path("callId").asString()).isEqualTo("n1");
                assertThat(call.path("data").path("event").asString()).isEqualTo("dialing");
                assertThat(call.path("data").path("campaignId").asString()).isEqualTo("c-two");
                JsonNode two = ws.await(metrics("c-two"), WAIT);
                assertThat(two.path("data").path("activeCalls").asLong()).isEqualTo(2);

                // a person picks up: call_event "answered"; it ends converted: the outcome
                Seed004Data.post(server, "call_attempts", List.of(Seed004Data.attempt("n1", "c-two", "in_progress", null, Duration.ZERO)));
                assertThat(ws.await(type("call_event"), WAIT).path("data").path("event").asString()).isEqualTo("answered");
                Seed004Data.post(server, "call_attempts", List.of(Seed004Data.attempt("n1", "c-two", "ended", "converted", Duration.ZERO)));
                assertThat(ws.await(type("call_event"), WAIT).path("data").path("event").asString()).isEqualTo("converted");
                JsonNode after = ws.await(n -> metrics("c-two").test(n) && n.path("data").path("converted").asLong() == 1, WAIT);
                assertThat(after.path("data").path("conversionRate").asDouble()).isEqualTo(50.0);

                // system_health_update: sampled every 2 s, not stored
                JsonNode h1 = ws.await(type("system_health_update"), WAIT);
                JsonNode h2 = ws.await(type("system_health_update"), WAIT);
                assertThat(h2.path("timestamp").asString()).isNotEqualTo(h1.path("timestamp").asString());
                assertThat(h1.path("data").path("activeCampaigns").asLong()).isEqualTo(2);
                assertThat(h1.path("data").path("cpuUsage").isNumber()).isTrue();
                assertThat(h1.path("data").path("memoryUsage").asDouble()).isPositive();
            }
        }
    }

    @Test
    void subscribe_l94_narrowsToOneCampaign_statusChanges_andUnsubscribe_l95() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            Seed004Data.write(server);
            try (WsClient ws = new WsClient(server.sb.port(), "/ws?account=" + ACCOUNT)) {
                ws.await(metrics("c-two"), WAIT);
                ws.send("{\"action\":\"subscribe\",\"campaignId\":\"c-run\"}");
                // c-two's change is committed first: were it sent, it would arrive before c-run's
                Seed004Data.post(server, "call_attempts", List.of(Seed004Data.attempt("x-two", "c-two", "dialing", null, Duration.ZERO)));
                Seed004Data.post(server, "call_attempts", List.of(Seed004Data.attempt("x-run", "c-run", "dialing", null, Duration.ZERO)));
                JsonNode call = ws.await(type("call_event"), WAIT);
                assertThat(call.path("data").path("callId").asString()).isEqualTo("x-run");
                ws.await(n -> metrics("c-run").test(n) && n.path("data").path("activeCalls").asLong() == 4, WAIT);

                // campaign_status_change: the subscribed campaign is paused
                Seed004Data.post(server, "campaigns", List.of(Seed004Data.campaign("c-run", "paused")));
                JsonNode status = ws.await(type("campaign_status_change"), WAIT);
                assertThat(status.path("data").path("campaignId").asString()).isEqualTo("c-run");
                assertThat(status.path("data").path("status").asString()).isEqualTo("paused");
                assertThat(status.path("data").path("previousStatus").asString()).isEqualTo("running");

                // subscribing to another campaign sends its metrics at once
                ws.send("{\"action\":\"subscribe\",\"campaignId\":\"c-two\"}");
                assertThat(ws.await(metrics("c-two"), WAIT).path("data").path("activeCalls").asLong()).isEqualTo(2);
                // unsubscribed, its calls are no longer sent
                ws.send("{\"action\":\"unsubscribe\",\"campaignId\":\"c-two\"}");
                ws.send("{\"action\":\"subscribe\",\"campaignId\":\"c-pause\"}");
                Seed004Data.post(server, "call_attempts", List.of(Seed004Data.attempt("y-two", "c-two", "dialing", null, Duration.ZERO)));
                Seed004Data.post(server, "call_attempts", List.of(Seed004Data.attempt("y-pause", "c-pause", "dialing", null, Duration.ZERO)));
                assertThat(ws.await(type("call_event"), WAIT).path("data").path("callId").asString()).isEqualTo("y-pause");

                // subscribe without a campaignId: all campaigns again
                ws.send("{\"action\":\"subscribe\"}");
                Seed004Data.post(server, "call_attempts", List.of(Seed004Data.attempt("z-two", "c-two", "dialing", null, Duration.ZERO)));
                assertThat(ws.await(type("call_event"), WAIT).path("data").path("callId").asString()).isEqualTo("z-two");
            }
        }
    }

    @Test
    void badMessages_getAnErrorEnvelope_andTheConnectionStaysUp() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            Seed004Data.write(server);
            try (WsClient ws = new WsClient(server.sb.port(), "/ws?account=" + ACCOUNT)) {
                ws.await(metrics("c-run"), WAIT);
                for (String bad : List.of("{\"action\":\"dance\"}", "not json", "[1,2]", "{\"campaignId\":\"c-run\"}",
                        "{\"action\":\"subscribe\",\"campaignId\":42}", "{\"action\":\"subscribe\",\"campaignId\":\"bad id\"}")) {
                    ws.send(bad);
                    JsonNode error = ws.await(type("error"), WAIT);
                    assertThat(error.path("data").path("status").asInt()).as(bad).isEqualTo(400);
                    assertThat(error.path("data").path("error").asString()).as(bad).isNotEmpty();
                    assertThat(error.path("timestamp").asString()).isNotEmpty();
                }
            }
            try (WsClient ws = new WsClient(server.sb.port(), "/ws?account=" + ACCOUNT)) {
                ws.send("{\"action\":\"dance\"}");
                ws.await(type("error"), WAIT);
                ws.send("{\"action\":\"subscribe\",\"campaignId\":\"c-two\"}");
                Seed004Data.post(server, "call_attempts", List.of(Seed004Data.attempt("up", "c-two", "dialing", null, Duration.ZERO)));
                assertThat(ws.await(type("call_event"), WAIT).path("data").path("callId").asString()).as("still connected").isEqualTo("up");
            }
            assertThatThrownBy(() -> new WsClient(server.sb.port(), "/ws?account=bad%20account")).hasStackTraceContaining("status code 400");
        }
    }

    @Test
    void withTokens_theAccountComesFromTheToken() throws Exception {
        try (TestServer server = new TestServer(dir, false, Optional.of(AuthTest.SECRET))) {
            String viewer = AuthTest.token(ACCOUNT, "v", null, null, Instant.now().plusSeconds(600));
            assertThatThrownBy(() -> new WsClient(server.sb.port(), "/ws")).hasStackTraceContaining("status code 401");
            assertThatThrownBy(() -> new WsClient(server.sb.port(), "/ws?account=other-account&access_token=" + viewer))
                    .hasStackTraceContaining("status code 403");
            try (WsClient ws = new WsClient(server.sb.port(), "/ws?access_token=" + viewer)) {
                JsonNode h = ws.await(type("system_health_update"), WAIT);
                assertThat(h.path("data").path("activeCampaigns").asLong()).isZero();
            }
        }
    }
}
