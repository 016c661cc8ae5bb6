package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Seed 000 (AI bookings, seeds/000_68ae56ef1b293453.txt): its verification steps "Test 1: Check
 * Database" (l.93-98, with the sqlite3 CLI), "Test 2: Check Dashboard API" (l.100-111, curl) and
 * "Test 3: Check Real-Time Events" (l.113-118, curl -N), translated 1:1; and the voice agent's
 * webhook (l.70) with its shared-secret check.
 */
class Seed000BookingsTest {
    private static final String CLIENT = "d2d-xpress-tom";

    @TempDir
    Path dir;

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    private static long count(TestServer server, String sql) throws Exception {
        return Long.parseLong(run("sqlite3", server.db().toString(), sql));
    }

    private static void seed(TestServer server) throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<String> leads = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            leads.add("{\"id\":\"lead-" + i + "\",\"name\":\"Lead " + i + "\",\"status\":\"" + (i < 2 ? "booked" : "new")
                    + "\",\"created_at\":\"" + now.minusSeconds(3600L * i) + "\",\"updated_at\":\"" + now.minusSeconds(60L * i) + "\"}");
        }
        assertThat(server.post("/api/ingest/" + CLIENT + "/leads", "[" + String.join(",", leads) + "]").statusCode()).isEqualTo(200);
        String calls = "[{\"id\":\"call-1\",\"lead_id\":\"lead-0\",\"status\":\"ended\",\"outcome\":\"booked\",\"created_at\":\"" + now.minusSeconds(600) + "\"},"
                + "{\"id\":\"call-2\",\"lead_id\":\"lead-1\",\"status\":\"in_progress\",\"created_at\":\"" + now.minusSeconds(60) + "\"},"
                + "{\"id\":\"call-3\",\"lead_id\":\"lead-2\",\"status\":\"queued\",\"created_at\":\"" + now + "\"}]";
        assertThat(server.post("/api/ingest/" + CLIENT + "/booking_calls", calls).statusCode()).isEqualTo(200);
        Instant soon = now.plusSeconds(120); // upcoming, and this week unless run in the last two minutes of a Sunday (UTC)
        String appts = "[{\"id\":\"appt-1\",\"lead_id\":\"lead-0\",\"name\":\"Lead 0\",\"status\":\"booked\",\"start_time\":\"" + soon + "\"},"
                + "{\"id\":\"appt-2\",\"lead_id\":\"lead-1\",\"name\":\"Lead 1\",\"status\":\"cancelled\",\"start_time\":\"" + soon + "\"}]";
        assertThat(server.post("/api/ingest/" + CLIENT + "/appointments", appts).statusCode()).isEqualTo(200);
        // another client's rows never count
        assertThat(server.post("/api/ingest/acme-roofing/leads", "{\"id\":\"lead-x\",\"status\":\"new\",\"created_at\":\"" + now + "\"}")
                .statusCode()).isEqualTo(200);
    }

    @Test
    void test1Database_l93_andTest2DashboardApi_l100_agree() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            seed(server);
            // Test 1, line 93-98: the seed's three counts, including its calls table
            long leads = count(server, "SELECT COUNT(*) FROM leads WHERE client_key = '" + CLIENT + "'");
            long calls = count(server, "SELECT COUNT(*) FROM calls WHERE client_key = '" + CLIENT + "'");
            long appointments = count(server, "SELECT COUNT(*) FROM appointments WHERE client_key = '" + CLIENT + "'");
            assertThat(leads).isEqualTo(5);
            assertThat(calls).isEqualTo(2); // the queued call is in call_queue, as in the seed
            assertThat(count(server, "SELECT COUNT(*) FROM call_queue WHERE client_key = '" + CLIENT + "'")).isEqualTo(1);
            assertThat(appointments).isEqualTo(2);
            // Test 2, line 100-111
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode d = TestServer.JSON.readTree(run("curl", "-s", "--max-time", "20", server.base() + "/api/demo-dashboard/" + CLIENT));
                assertThat(d.path("metrics").path("totalLeads").asLong()).isEqualTo(leads);
                assertThat(d.path("metrics").path("totalCalls").asLong()).isEqualTo(calls);
                // this week's bookings that still stand (the cancelled one does not count)
                assertThat(d.path("metrics").path("bookingsThisWeek").asLong()).isEqualTo(1);
                assertThat(d.path("leads").size()).isEqualTo(5);
                assertThat(d.path("leads").get(0).path("id").asString()).isEqualTo("lead-0");
                assertThat(d.path("leads").get(0).has("clientKey")).isTrue();
                assertThat(d.path("recentCalls").size()).isEqualTo(3);
                // the seed's call rows: every column of the table, camelCase, and nothing the dashboard looks up (lead.name)
                for (JsonNode c : d.path("recentCalls")) {
                    assertThat(c.propertyNames()).containsExactlyInAnyOrder("id", "clientKey", "leadId", "vapiCallId", "phone", "direction",
                            "status", "outcome", "endedReason", "duration", "cost", "summary", "recordingUrl", "scheduledFor", "startedAt",
                            "endedAt", "createdAt", "updatedAt");
                }
                assertThat(d.path("appointments").size()).isEqualTo(1);
                assertThat(d.path("appointments").get(0).path("startTime").asString()).isNotEmpty();
                // the same numbers as the native snapshot
                JsonNode w = TestServer.json(server.get("/api/dashboards/bookings/" + CLIENT)).path("widgets");
                assertThat(d.path("metrics").path("totalLeads")).isEqualTo(w.path("total_leads"));
                assertThat(d.path("metrics").path("totalCalls")).isEqualTo(w.path("total_calls"));
                assertThat(d.path("metrics").path("bookingsThisWeek")).isEqualTo(w.path("bookings_this_week"));
                // the native list names each call's lead through the lookup
                for (JsonNode c : w.path("recent_calls")) {
                    assertThat(c.path("lead.name").asString()).isEqualTo(c.path("lead_id").asString().replace("lead-", "Lead "));
                }
            });
            assertThat(server.get("/api/demo-dashboard/bad%20key").statusCode()).isEqualTo(400);
        }
    }

    @Test
    void test3RealTimeEvents_l113_curlWithNoQuery_streamsThePacksDefaults() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            seed(server);
            Process curl = new ProcessBuilder("curl", "-s", "-N", "--max-time", "30", server.base() + "/api/events/" + CLIENT).start();
            BlockingQueue<String> lines = new ArrayBlockingQueue<>(10_000);
            Thread.ofVirtual().start(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(curl.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = in.readLine()) != null; ) {
                        lines.offer(l);
                    }
                } catch (java.io.IOException ignored) {
                    // the process ended
                }
            });
            try {
                assertThat(until(lines, "event: snapshot")).isTrue();
                // a new lead written by another program arrives as it occurs
                run("sqlite3", server.db().toString(), "INSERT INTO leads (id, client_key, status, created_at) VALUES ('lead-new','"
                        + CLIENT + "','new',strftime('%Y-%m-%dT%H:%M:%fZ','now'))");
                assertThat(until(lines, "\"key\":\"lead-new\"")).isTrue();
            } finally {
                curl.destroy();
            }
            // a tenant with no rows in any pack still has to name what it wants
            var none = server.get("/api/events/nobody-here");
            assertThat(none.statusCode()).isEqualTo(400);
            assertThat(none.body()).contains("name what to stream");
        }
    }

    private static boolean until(BlockingQueue<String> lines, String needle) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            String l = lines.poll(1, TimeUnit.SECONDS);
            if (l != null && l.contains(needle)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void webhook_l70_needsTheSharedSecret_andWritesTheCall() throws Exception {
        String secret = "webhook-secret-for-tests";
        Config config = TestServer.config(dir, true, Optional.empty()).with(Config.WEBHOOK_SECRET, Optional.of(secret));
        try (TestServer server = new TestServer(dir, config, dev.switchboard.limits.Limits.DEFAULTS)) {
            String started = "{\"message\":{\"type\":\"status-update\",\"status\":\"in-progress\",\"call\":{\"id\":\"vapi-1\","
                    + "\"type\":\"outboundPhoneCall\",\"customer\":{\"number\":\"+15550123\"},\"startedAt\":\"2026-12-01T10:00:00.000Z\"}}}";
            String before = server.sb.store().changes().head().toString();
            var noSecret = server.post("/api/webhooks/vapi/" + CLIENT, started);
            assertThat(noSecret.statusCode()).isEqualTo(401);
            assertThat(TestServer.json(noSecret).path("error").asString()).contains("X-Vapi-Secret");
            assertThat(server.post("/api/webhooks/vapi/" + CLIENT, started, "X-Vapi-Secret", "wrong").statusCode()).isEqualTo(401);
            assertThat(server.post("/api/webhooks/vapi/" + CLIENT, started, "X-Vapi-Signature", "00ff").statusCode()).isEqualTo(401);
            assertThat(server.sb.store().changes().head().toString()).as("a refused webhook writes nothing").isEqualTo(before);

            var ok = server.post("/api/webhooks/vapi/" + CLIENT, started, "X-Vapi-Secret", secret);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            String report = "{\"message\":{\"type\":\"end-of-call-report\",\"endedReason\":\"customer-ended-call\",\"durationSeconds\":61.6,"
                    + "\"cost\":0.12,\"analysis\":{\"summary\":\"Booked a quote visit\",\"structuredData\":{\"outcome\":\"booked\"}},"
                    + "\"call\":{\"id\":\"vapi-1\"}}}";
            String signature = dev.switchboard.packs.BookingsCompatAccess.hmac(secret, report);
            var signed = server.post("/api/webhooks/vapi/" + CLIENT, report, "X-Vapi-Signature", signature);
            assertThat(signed.statusCode()).as(signed.body()).isEqualTo(200);
            assertThat(run("sqlite3", server.db().toString(), "SELECT status || '|' || outcome || '|' || duration || '|' || phone FROM booking_calls "
                    + "WHERE id = 'vapi-1' AND client_key = '" + CLIENT + "'")).isEqualTo("ended|booked|62|+15550123");
            var ignored = server.post("/api/webhooks/vapi/" + CLIENT, "{\"message\":{\"type\":\"transcript\"}}", "X-Vapi-Secret", secret);
            assertThat(TestServer.json(ignored).path("ignored").asString()).isEqualTo("transcript");
            var bad = server.post("/api/webhooks/vapi/" + CLIENT, "{\"message\":", "X-Vapi-Secret", secret);
            assertThat(bad.statusCode()).isEqualTo(400);
        }
    }
}
