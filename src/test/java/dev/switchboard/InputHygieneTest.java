package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Issue 12, finding 15: values that cannot be stored faithfully are refused as a 400 naming row and field. */
class InputHygieneTest {
    static final String T = "2026-11-23T12:00:00Z";
    @TempDir
    Path dir;
    TestServer server;

    @BeforeEach
    void start() {
        server = new TestServer(dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    JsonNode refused(String body, String field) throws Exception {
        return refused("call_logs", body, field);
    }

    JsonNode refused(String dataset, String body, String field) throws Exception {
        var r = server.post("/api/ingest/t1/" + dataset, body);
        assertThat(r.statusCode()).as(body + " -> " + r.body()).isEqualTo(400);
        JsonNode json = TestServer.json(r);
        assertThat(json.path("details").path(0).path("field").asString()).as(r.body()).isEqualTo(field);
        assertThat(json.path("error").asString()).as(r.body()).contains("row 0").contains("field " + field).doesNotContainIgnoringCase("sql");
        return json;
    }

    String call(String id, String startedAt, String extra) {
        return "{\"id\":\"" + id + "\",\"status\":\"active\",\"started_at\":\"" + startedAt + "\"" + extra + "}";
    }

    @Test
    void nonFiniteNumbers_areRefused() throws Exception {
        String ticket = "{\"id\":\"k1\",\"status\":\"open\",\"created_at\":\"" + T + "\",\"estimated_cost\":";
        refused("tickets", ticket + "1e400}", "estimated_cost");
        refused("tickets", ticket + "1e999999}", "estimated_cost");
        refused(call("c1", T, ",\"metadata\":{\"x\":[1,-1e400]}"), "metadata");
        assertThat(server.post("/api/ingest/t1/tickets", ticket + "1e300}").statusCode()).isEqualTo(200);
        assertThat(total()).isZero();
    }

    @Test
    void timesBeyondYear9999_andImpossibleDates_areRefused() throws Exception {
        refused(call("c1", "10000-01-01T00:00:00Z", ""), "started_at");
        refused(call("c1", "9999-12-31T23:00:00-05:00", ""), "started_at");
        refused(call("c1", "2026-02-30T12:00:00Z", ""), "started_at");
        refused(call("c1", "2026-11-23T24:00:00Z", ""), "started_at");
        refused(call("c1", "2026-11-23T12:60:00Z", ""), "started_at");
        assertThat(server.post("/api/ingest/t1/call_logs", call("c1", "2024-02-29T23:59:59.999Z", "")).statusCode()).isEqualTo(200);
    }

    @Test
    void keysThatDeleteCannotAddress_areRefusedByIngestToo() throws Exception {
        for (String key : new String[] {"", "a b", "a\\u0000b", "a\\\"b", "a'b", "a/b", "-x"}) {
            refused(call(key, T, ""), "id");
        }
        assertThat(total()).isZero();
        assertThat(server.post("/api/ingest/t1/call_logs", call("order-1001:a@b.c_d", T, "")).statusCode()).isEqualTo(200);
        var del = server.http.send(HttpRequest.newBuilder(URI.create(server.base() + "/api/ingest/t1/call_logs/a%20b"))
                .DELETE().timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(del.statusCode()).isEqualTo(400);
        assertThat(del.body()).contains("must be 1-128 letters");
    }

    @Test
    void duplicateFields_andLookalikeContentTypes_areRefused() throws Exception {
        var dup = server.post("/api/ingest/t1/call_logs", "{\"id\":\"c1\",\"id\":\"c2\",\"status\":\"active\",\"started_at\":\"" + T + "\"}");
        assertThat(dup.statusCode()).isEqualTo(400);
        assertThat(dup.body()).contains("Duplicate");
        assertThat(postAs("application/jsonfoo").statusCode()).isEqualTo(415);
        assertThat(postAs("application/json-patch").statusCode()).isEqualTo(415);
        assertThat(postAs("Application/JSON; charset=utf-8").statusCode()).isEqualTo(200);
    }

    HttpResponse<String> postAs(String type) throws Exception {
        return server.http.send(HttpRequest.newBuilder(URI.create(server.base() + "/api/ingest/t1/call_logs")).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(call("c1", T, ""))).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Issue 12, finding 18: a row is fanned out to every subscriber, so its size is bounded. */
    @Test
    void oversizedRow_isRefusedWith413_namingTheRow() throws Exception {
        String big = call("c2", T, ",\"metadata\":{\"blob\":\"" + "x".repeat(100_000) + "\"}");
        var r = server.post("/api/ingest/t1/call_logs", "[" + call("c1", T, "") + "," + big + "]");
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(TestServer.json(r).path("error").asString()).startsWith("row 1 ").contains("limit per row is 65536");
        assertThat(total()).isZero();
        assertThat(server.get("/metrics").statusCode()).as("demo: open access").isEqualTo(200);
    }

    long total() throws Exception {
        return TestServer.json(server.get("/api/dashboards/calls/t1")).path("widgets").path("total_calls").asLong();
    }
}
