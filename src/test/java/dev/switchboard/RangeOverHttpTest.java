package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A dashboard's range over a real port: the catalog describes it, the REST snapshot and the SSE
 * stream take {@code ?range=} and {@code ?from=&to=}, stats carry their previous period, a late
 * row inside a custom range reaches its stream as a delta, and a bad range is a 400 JSON error
 * that opens no view.
 */
class RangeOverHttpTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    static String call(String id, Instant at) {
        return "{\"id\":\"" + id + "\",\"status\":\"ended\",\"outcome\":\"completed\",\"duration\":60,\"started_at\":\""
                + at.truncatedTo(ChronoUnit.MILLIS) + "\"}";
    }

    @Test
    void snapshotAndStream_takeTheRange_withThePreviousPeriod() throws Exception {
        Instant now = Instant.now();
        try (TestServer server = new TestServer(dir)) {
            JsonNode calls = null;
            for (JsonNode d : TestServer.json(server.get("/api/dashboards")).path("dashboards")) {
                if (d.path("name").asString().equals("calls")) {
                    calls = d;
                }
            }
            assertThat(calls.path("range").path("default").asString()).isEqualTo("24h");
            assertThat(calls.path("range").path("presets").toString()).contains("\"7d\"", "\"today\"");
            assertThat(calls.path("compare").path("total_calls").asString()).isEqualTo("${range}");

            String batch = "[" + String.join(",", List.of(call("a", now.minus(1, ChronoUnit.HOURS)), call("b", now.minus(30, ChronoUnit.HOURS)),
                    call("c", now.minus(40, ChronoUnit.HOURS)), call("old", Instant.parse("2026-03-10T12:00:00Z")))) + "]";
            assertThat(server.post("/api/ingest/t1/call_logs", batch).statusCode()).isEqualTo(200);

            JsonNode day = TestServer.json(server.get("/api/dashboards/calls/t1?range=24h"));
            assertThat(day.path("params").path("range").asString()).isEqualTo("24h");
            assertThat(day.path("widgets").path("total_calls").asLong()).isEqualTo(1);
            assertThat(day.path("widgets").path("total_calls.previous").asLong()).isEqualTo(2);
            assertThat(day.path("widgets").path("calls_per_hour").size()).isEqualTo(25);
            JsonNode week = TestServer.json(server.get("/api/dashboards/calls/t1?range=168h")); // the 7d preset
            assertThat(week.path("params").path("range").asString()).isEqualTo("7d");
            assertThat(week.path("widgets").path("total_calls").asLong()).isEqualTo(3);

            String path = "/api/dashboards/calls/t1?from=2026-03-10T00:00:00Z&to=2026-03-11T00:00:00Z";
            JsonNode custom = TestServer.json(server.get(path));
            assertThat(custom.path("params").path("range").asString()).isEqualTo("2026-03-10T00:00:00Z..2026-03-11T00:00:00Z");
            assertThat(custom.path("widgets").path("total_calls").asLong()).isEqualTo(1);
            assertThat(custom.path("widgets").path("total_calls.previous").asLong()).isZero();

            try (SseClient sse = new SseClient(server.sb.port(), "/api/events/t1?dashboards=calls&range=2026-03-10T00:00:00Z..2026-03-11T00:00:00Z", null)) {
                var snap = sse.await(e -> e.type().equals("snapshot"), WAIT);
                assertThat(snap.data().path("params").path("range").asString()).isEqualTo("2026-03-10T00:00:00Z..2026-03-11T00:00:00Z");
                assertThat(snap.data().path("widgets").path("total_calls").asLong()).isEqualTo(1);
                // late rows: one inside the range, one in the day before it
                server.post("/api/ingest/t1/call_logs", "[" + call("late", Instant.parse("2026-03-10T23:59:59.999Z")) + ","
                        + call("late-prev", Instant.parse("2026-03-09T00:00:00Z")) + "]");
                var delta = sse.await(e -> e.type().equals("delta") && e.data().path("widgets").has("total_calls"), WAIT);
                assertThat(delta.data().path("widgets").path("total_calls").asLong()).isEqualTo(2);
                assertThat(delta.data().path("widgets").path("total_calls.previous").asLong()).isEqualTo(1);
            }
        }
    }

    @Test
    void badRange_is400Json_andOpensNothing() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            long views = TestServer.json(server.get("/api/health")).path("views").asLong();
            String[][] cases = {
                    {"/api/dashboards/calls/t1?range=2y", "range must be one of 1h, 24h, 7d"},
                    {"/api/dashboards/calls/t1?range=this_year", "range must be one of"},
                    {"/api/dashboards/calls/t1?from=2026-03-10T00:00:00Z", "a custom range needs both from and to"},
                    {"/api/dashboards/calls/t1?from=monday&to=2026-03-10T00:00:00Z", "ISO-8601"},
                    {"/api/dashboards/calls/t1?from=2026-03-10T00:00:00Z&to=2026-03-09T00:00:00Z", "must start before it ends"},
                    {"/api/dashboards/calls/t1?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z", "at most 31 days"},
                    {"/api/dashboards/campaigns/t1?range=7d", "range must be one of 15m, 1h, 6h, 24h"},
                    {"/api/events/t1?dashboards=calls&range=forever", "range must be one of"},
                    {"/api/poll/t1?dashboards=calls&range=forever&wait=0", "range must be one of"},
                    {"/api/export/calls/t1/agents?range=forever", "range must be one of"},
            };
            for (String[] c : cases) {
                var r = server.get(c[0]);
                assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
                assertThat(r.headers().firstValue("Content-Type").orElse("")).as(c[0]).startsWith("application/json");
                assertThat(TestServer.json(r).path("error").asString()).as(c[0]).contains(c[1]);
            }
            assertThat(TestServer.json(server.get("/api/health")).path("views").asLong()).isEqualTo(views);
        }
    }
}
