package dev.switchboard;

import static dev.switchboard.Seed004Data.ACCOUNT;
import static dev.switchboard.Seed004Data.sql;
import static dev.switchboard.Seed004Data.sqlDouble;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Seed 004 (dialer campaign analytics, seeds/004_019b0cdce720d0bc.txt): its REST API (l.73-86),
 * the initial load and the fallback polling of the dashboard (l.52-57: "polls REST API every 2
 * seconds, uses same API endpoints as initial data fetch"), with curl against a real server. Every
 * number equals the native snapshot of the campaigns dashboard and hand-written SQL; the seed's
 * troubleshooting step "Check if fallback polling is working" (l.234) is
 * {@link #troubleshooting_T2_l234_fallbackPollingSeesAChange}.
 */
class Seed004DialerRestTest {
    @TempDir
    Path dir;

    static String curl(String url) throws Exception {
        Process p = new ProcessBuilder("curl", "-s", "--max-time", "20", url).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    @Test
    void metrics_l78_everyRunningCampaignAndTheTotals_equalTheNativeSnapshotAndSql() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            Seed004Data.write(server);
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode r = TestServer.JSON.readTree(curl(server.base() + "/analytics/metrics?account=" + ACCOUNT));
                assertThat(TestServer.JSON.readTree(curl(server.base() + "/api/analytics/metrics?account=" + ACCOUNT)).path("campaignMetrics"))
                        .as("the same under /api (VITE_API_BASE_URL ends in /api)").isEqualTo(r.path("campaignMetrics"));
                JsonNode agg = r.path("aggregateMetrics");
                JsonNode w = TestServer.json(server.get("/api/dashboards/campaigns/" + ACCOUNT)).path("widgets");
                assertThat(agg.path("totalActiveCalls").asLong()).isEqualTo(w.path("active_calls").asLong())
                        .isEqualTo(sql(server, Seed004Data.ACTIVE)).isEqualTo(5);
                // queued contacts of running campaigns only: c-pause's 4 are not waiting to be dialed
                assertThat(agg.path("totalQueueDepth").asLong()).isEqualTo(w.path("queue_depth").asLong())
                        .isEqualTo(sql(server, Seed004Data.QUEUE)).isEqualTo(5);
                assertThat(agg.path("dialingRate").asDouble()).isEqualTo(w.path("dialing_rate").asDouble()).isEqualTo(6 / 60.0);
                assertThat(agg.path("totalAttempts").asLong()).isEqualTo(sql(server, Seed004Data.ATTEMPTS)).isEqualTo(11);
                assertThat(agg.path("activeCampaigns").asLong()).isEqualTo(sql(server, Seed004Data.RUNNING)).isEqualTo(2);
                assertThat(agg.path("answerRate").asDouble()).isEqualTo(w.path("answer_rate").asDouble())
                        .isCloseTo(sqlDouble(server, Seed004Data.ANSWER_RATE), within(1e-9)).isEqualTo(50.0);
                assertThat(agg.path("outcomes").path("optedOut").asLong()).isEqualTo(w.path("outcome_distribution").path("opted_out").asLong())
                        .isEqualTo(1);
                assertThat(agg.path("activity").size()).isBetween(1, 20);
                JsonNode point = agg.path("activity").get(agg.path("activity").size() - 1);
                assertThat(point.path("timestamp").asString()).isEqualTo(w.path("activity_active_calls").get(w.path("activity_active_calls").size() - 1)
                        .path("t").asString());

                JsonNode byId = r.path("campaignMetrics");
                assertThat(byId.propertyNames()).containsExactlyInAnyOrder("c-run", "c-two");
                JsonNode run = byId.path("c-run");
                assertThat(run.path("campaignId").asString()).isEqualTo("c-run");
                assertThat(run.path("status").asString()).isEqualTo("running");
                assertThat(run.path("activeCalls").asLong()).isEqualTo(sql(server, Seed004Data.forCampaign(Seed004Data.ACTIVE, "c-run"))).isEqualTo(3);
                assertThat(run.path("queueDepth").asLong()).isEqualTo(sql(server, Seed004Data.forCampaign(Seed004Data.QUEUE, "c-run"))).isEqualTo(3);
                assertThat(run.path("dialingRate").asDouble()).isEqualTo(4 / 60.0);
                assertThat(run.path("totalAttempts").asLong()).isEqualTo(7);
                assertThat(run.path("endedAttempts").asLong()).isEqualTo(4);
                assertThat(run.path("answerRate").asDouble()).isCloseTo(sqlDouble(server, Seed004Data.forCampaign(Seed004Data.ANSWER_RATE, "c-run")),
                        within(1e-9)).isEqualTo(50.0);
                assertThat(run.path("conversionRate").asDouble()).isEqualTo(25.0);
                assertThat(run.path("busy").asLong()).isEqualTo(1);
                // the per-campaign table rows the numbers come from, as the native snapshot has them
                JsonNode outcomes = find(w.path("campaign_outcomes"), "c-run");
                assertThat(run.path("answerRate").asDouble()).isEqualTo(outcomes.path("answer_rate").asDouble());
                assertThat(run.path("activeCalls").asLong()).isEqualTo(find(w.path("campaign_activity"), "c-run").path("active_calls").asLong());
                assertThat(byId.path("c-two").path("answerRate").asDouble()).isEqualTo(0.0);
            });
        }
    }

    @Test
    void campaignMetrics_l81_oneCampaign_equalsItsRowOfAllMetrics_andServesPausedCampaigns() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            Seed004Data.write(server);
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode all = TestServer.json(server.get("/analytics/metrics?account=" + ACCOUNT)).path("campaignMetrics");
                for (String id : List.of("c-run", "c-two")) {
                    JsonNode one = TestServer.JSON.readTree(curl(server.base() + "/analytics/campaigns/" + id + "/metrics?account=" + ACCOUNT));
                    assertThat(one).as("%s: its own view equals its row of all campaigns", id).isEqualTo(all.path(id));
                    assertThat(TestServer.json(server.get("/api/analytics/campaigns/" + id + "/metrics?account=" + ACCOUNT))).isEqualTo(one);
                }
                // a paused campaign dials no one: no queue depth, but its last call still rings
                JsonNode paused = TestServer.json(server.get("/analytics/campaigns/c-pause/metrics?account=" + ACCOUNT));
                assertThat(paused.path("status").asString()).isEqualTo("paused");
                assertThat(paused.path("queueDepth").asLong()).isZero();
                assertThat(paused.path("activeCalls").asLong()).isEqualTo(sql(server, Seed004Data.forCampaign(Seed004Data.ACTIVE, "c-pause"))).isEqualTo(1);
                assertThat(paused.path("answerRate").asDouble()).isEqualTo(100.0);
                assertThat(paused.path("optedOut").asLong()).isEqualTo(1);
                JsonNode scoped = TestServer.json(server.get("/api/dashboards/campaigns/" + ACCOUNT + "?scope=campaign&sub=c-pause")).path("widgets");
                assertThat(paused.path("activeCalls").asLong()).isEqualTo(scoped.path("active_calls").asLong());
                assertThat(all.has("c-pause")).as("metrics of all active campaigns (l.79) leave it out").isFalse();
            });
        }
    }

    @Test
    void systemHealth_l84_cpuAndMemoryOfTheNode_answerRateAndActiveCampaigns() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            Seed004Data.write(server);
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                for (String path : List.of("/analytics/system/health", "/api/analytics/system/health")) {
                    JsonNode h = TestServer.JSON.readTree(curl(server.base() + path + "?account=" + ACCOUNT));
                    assertThat(h.path("status").asString()).isEqualTo("healthy");
                    assertThat(h.path("cpuUsage").isNumber()).isTrue();
                    assertThat(h.path("cpuUsage").asDouble()).isLessThanOrEqualTo(100.0);
                    assertThat(h.path("memoryUsage").asDouble()).isGreaterThan(0.0).isLessThanOrEqualTo(100.0);
                    assertThat(h.path("heapUsedBytes").asLong()).isPositive().isLessThanOrEqualTo(h.path("heapMaxBytes").asLong());
                    assertThat(h.path("answerRate").asDouble()).isEqualTo(50.0);
                    assertThat(h.path("activeCampaigns").asLong()).isEqualTo(sql(server, Seed004Data.RUNNING));
                    assertThat(Instant.parse(h.path("timestamp").asString())).isNotNull();
                }
            });
        }
    }

    @Test
    void troubleshooting_T2_l234_fallbackPollingSeesAChange() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            Seed004Data.write(server);
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(TestServer.json(
                    server.get("/api/analytics/metrics?account=" + ACCOUNT)).path("aggregateMetrics").path("totalActiveCalls").asLong()).isEqualTo(5));
            // the dialer places a call; the next poll (every 2 s in the seed) shows it
            Seed004Data.post(server, "call_attempts", List.of(Seed004Data.attempt("a8", "c-two", "dialing", null, Duration.ZERO)));
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                JsonNode r = TestServer.json(server.get("/api/analytics/metrics?account=" + ACCOUNT));
                assertThat(r.path("aggregateMetrics").path("totalActiveCalls").asLong()).isEqualTo(6);
                assertThat(r.path("campaignMetrics").path("c-two").path("activeCalls").asLong()).isEqualTo(2);
            });
            // pausing a campaign takes it out of the running campaigns and its queue out of the depth
            Seed004Data.post(server, "campaigns", List.of(Seed004Data.campaign("c-two", "paused")));
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                JsonNode r = TestServer.json(server.get("/api/analytics/metrics?account=" + ACCOUNT));
                assertThat(r.path("campaignMetrics").propertyNames()).containsExactly("c-run");
                assertThat(r.path("aggregateMetrics").path("totalQueueDepth").asLong()).isEqualTo(sql(server, Seed004Data.QUEUE)).isEqualTo(3);
                assertThat(r.path("aggregateMetrics").path("activeCampaigns").asLong()).isEqualTo(1);
            });
        }
    }

    @Test
    void badParameters_getTheSeedsErrorShape() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            Seed004Data.write(server);
            var missing = server.get("/analytics/campaigns/no-such-campaign/metrics?account=" + ACCOUNT);
            assertThat(missing.statusCode()).isEqualTo(404);
            JsonNode body = TestServer.json(missing);
            assertThat(body.path("success").asBoolean(true)).isFalse();
            assertThat(body.path("status").asInt()).isEqualTo(404);
            assertThat(body.path("error").asString()).contains("no campaign 'no-such-campaign'");
            // another account's campaign is not this one's
            assertThat(server.get("/analytics/campaigns/o-run/metrics?account=" + ACCOUNT).statusCode()).isEqualTo(404);
            assertThat(server.get("/analytics/campaigns/bad%20id/metrics").statusCode()).isEqualTo(400);
            assertThat(server.get("/analytics/metrics?account=bad%20account").statusCode()).isEqualTo(400);
            assertThat(server.post("/analytics/metrics", "{}").statusCode()).isEqualTo(405);
            var plain = server.get("/ws");
            assertThat(plain.statusCode()).isEqualTo(426);
            assertThat(plain.body()).contains("WebSocket");
            // the seed names no account: demo mode serves its demo account
            assertThat(TestServer.json(server.get("/analytics/metrics")).has("campaignMetrics")).isTrue();
        }
    }

    @Test
    void withTokens_theAccountIsTheTokens_andAnotherIsRefused() throws Exception {
        try (TestServer server = new TestServer(dir, false, Optional.of(AuthTest.SECRET))) {
            String viewer = AuthTest.token(ACCOUNT, "v", null, null, Instant.now().plusSeconds(600));
            assertThat(server.get("/analytics/metrics").statusCode()).isEqualTo(401);
            var own = server.get("/analytics/system/health", "Authorization", "Bearer " + viewer);
            assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
            assertThat(server.get("/analytics/metrics", "Authorization", "Bearer " + viewer).statusCode()).isEqualTo(200);
            var other = server.get("/analytics/metrics?account=other-account", "Authorization", "Bearer " + viewer);
            assertThat(other.statusCode()).isEqualTo(403);
            assertThat(other.body()).doesNotContain("campaignMetrics");
        }
    }

    private static JsonNode find(JsonNode table, String campaign) {
        for (JsonNode r : table) {
            if (r.path("campaign_id").asString().equals(campaign)) {
                return r;
            }
        }
        throw new AssertionError("no row for " + campaign + " in " + table);
    }
}
