package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.live.Equality;
import dev.switchboard.live.ViewKey;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The skeleton's promises over a real port, with a raw-socket SSE client and the JDK HTTP client. */
class SseWireTest {
    static final Duration WAIT = Duration.ofSeconds(10);
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

    static String call(String id, String status, String outcome, int duration) {
        String now = Instant.now().minusSeconds(60).toString();
        return "{\"id\":\"" + id + "\",\"agent_config_id\":\"agent-1\",\"phone_number\":\"+15550001\",\"direction\":\"inbound\","
                + "\"status\":\"" + status + "\",\"outcome\":" + (outcome == null ? "null" : "\"" + outcome + "\"")
                + ",\"started_at\":\"" + now + "\",\"duration\":" + duration + "}";
    }

    @Test
    void postedCall_reachesSubscriber_asChangeAndDelta() throws Exception {
        try (SseClient sse = new SseClient(server.sb.port(), "/api/events/t1?dashboards=calls&datasets=call_logs", null)) {
            var snap = sse.await(e -> e.type().equals("snapshot"), WAIT);
            assertThat(snap.data().path("widgets").path("total_calls").asLong()).isZero();
            assertThat(snap.data().path("reset").asBoolean()).isFalse();
            var r = server.post("/api/ingest/t1/call_logs", call("c1", "active", null, 0));
            assertThat(r.statusCode()).isEqualTo(200);
            String position = TestServer.json(r).path("position").asString();

            var change = sse.await(e -> e.type().equals("change"), WAIT);
            assertThat(change.id()).isEqualTo(position);
            assertThat(change.data().path("op").asString()).isEqualTo("c");
            assertThat(change.data().path("after").path("id").asString()).isEqualTo("c1");
            var delta = sse.await(e -> e.type().equals("delta"), WAIT);
            assertThat(delta.data().path("widgets").path("total_calls").asLong()).isEqualTo(1);
            assertThat(delta.data().path("widgets").path("active_calls").asLong()).isEqualTo(1);

            server.post("/api/ingest/t1/call_logs", "{\"id\":\"c1\",\"status\":\"ended\",\"outcome\":\"completed\",\"duration\":42}");
            var update = sse.await(e -> e.type().equals("change"), WAIT);
            assertThat(update.data().path("op").asString()).isEqualTo("u");
            assertThat(update.data().path("before").path("status").asString()).isEqualTo("active");
            assertThat(update.data().path("after").path("status").asString()).isEqualTo("ended");
            var ended = sse.await(e -> e.type().equals("delta") && e.data().path("widgets").has("active_calls"), WAIT);
            assertThat(ended.data().path("widgets").path("active_calls").asLong()).isZero();
        }
    }

    @Test
    void externalSqlite3Insert_reachesSubscriber() throws Exception {
        try (SseClient sse = new SseClient(server.sb.port(), "/api/events/t1?dashboards=calls&datasets=call_logs", null)) {
            sse.await(e -> e.type().equals("snapshot"), WAIT);
            String sql = "INSERT INTO call_logs (id, user_id, status, started_at, duration) VALUES ('ext1', 't1', 'active', '"
                    + dev.switchboard.change.Times.format(Instant.now()) + "', 0);";
            Process p = new ProcessBuilder("sqlite3", "-cmd", ".timeout 10000", server.db().toString(), sql).redirectErrorStream(true).start();
            assertThat(p.waitFor()).as(new String(p.getInputStream().readAllBytes())).isZero();
            var change = sse.await(e -> e.type().equals("change"), WAIT);
            assertThat(change.data().path("key").asString()).isEqualTo("ext1");
            // A time in another format would sort wrongly as text in SQL: the database refuses it.
            Process bad = new ProcessBuilder("sqlite3", "-cmd", ".timeout 10000", server.db().toString(),
                    "INSERT INTO call_logs (id, user_id, status, started_at) VALUES ('ext2', 't1', 'active', '2026-11-23 12:00:00');")
                    .redirectErrorStream(true).start();
            String out = new String(bad.getInputStream().readAllBytes());
            assertThat(bad.waitFor()).isNotZero();
            assertThat(out).contains("CHECK constraint failed").contains("started_at");
            var delta = sse.await(e -> e.type().equals("delta"), WAIT);
            assertThat(delta.data().path("widgets").path("active_calls").asLong()).isEqualTo(1);
        }
    }

    @Test
    void resume_afterMissing50Changes_deliversEachExactlyOnceInOrder() throws Exception {
        String lastId;
        try (SseClient sse = new SseClient(server.sb.port(), "/api/events/t1?dashboards=calls&datasets=call_logs", null)) {
            sse.await(e -> e.type().equals("snapshot"), WAIT);
            server.post("/api/ingest/t1/call_logs", call("first", "active", null, 0));
            lastId = sse.await(e -> e.type().equals("change"), WAIT).id();
        }
        List<String> posted = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            var r = server.post("/api/ingest/t1/call_logs", call("m" + i, i % 2 == 0 ? "active" : "ended", i % 2 == 0 ? null : "completed", i));
            assertThat(r.statusCode()).isEqualTo(200);
            posted.add(TestServer.json(r).path("position").asString());
        }
        try (SseClient sse = new SseClient(server.sb.port(), "/api/events/t1?dashboards=calls&datasets=call_logs", lastId)) {
            var last = sse.await(e -> e.type().equals("delta") && e.data().path("widgets").path("total_calls").asLong() == 51, WAIT);
            assertThat(last).isNotNull();
            server.post("/api/ingest/t1/call_logs", call("after", "active", null, 0));
            sse.await(e -> e.type().equals("change") && e.data().path("key").asString().equals("after"), WAIT);
        }
        // Again, collecting everything: each missed change once, in commit order, then live ones.
        try (SseClient sse = new SseClient(server.sb.port(), "/api/events/t1?datasets=call_logs", lastId)) {
            List<String> keys = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (SseClient.Event e : sse.drain(Duration.ofMillis(700))) {
                if (e.type().equals("change")) {
                    keys.add(e.data().path("key").asString());
                    ids.add(e.id());
                }
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                expected.add("m" + i);
            }
            expected.add("after");
            assertThat(keys).containsExactlyElementsOf(expected);
            assertThat(ids.subList(0, 50)).containsExactlyElementsOf(posted);
        }
    }

    @Test
    void resume_unknownOrForeignPosition_yieldsResetSnapshot() throws Exception {
        server.post("/api/ingest/t1/call_logs", call("a", "active", null, 0));
        for (String id : List.of("not-a-position", "othere poch-5".replace(" ", ""), "zzzzzz-1")) {
            try (SseClient sse = new SseClient(server.sb.port(), "/api/events/t1?dashboards=calls&datasets=call_logs", id)) {
                var snap = sse.await(e -> e.type().equals("snapshot"), WAIT);
                assertThat(snap.data().path("reset").asBoolean()).as(id).isTrue();
                assertThat(snap.data().path("widgets").path("total_calls").asLong()).isEqualTo(1);
                var reset = sse.await(e -> e.type().equals("reset"), WAIT);
                assertThat(reset.data().path("dataset").asString()).isEqualTo("call_logs");
            }
        }
    }

    @Test
    void badIngest_getsClearError_andWritesNothing() throws Exception {
        server.post("/api/ingest/t1/call_logs", call("keep", "active", null, 0));
        server.post("/api/ingest/other/call_logs", call("theirs", "active", null, 0));
        String before = server.sb.store().changes().head().toString();
        String big = "[" + String.join(",", java.util.Collections.nCopies(20000, call("x", "active", null, 0))) + "]";
        List<String[]> cases = List.of(
                new String[] {"{\"id\":", "malformed JSON"},
                new String[] {"[" + call("ok1", "active", null, 0) + "," + call("bad", "s".repeat(51), null, 0) + "]", "row 1, field status"},
                new String[] {"{\"status\":\"active\",\"started_at\":\"2026-01-01T00:00:00Z\"}", "field id"},
                new String[] {"{\"id\":\"n1\",\"status\":\"active\",\"started_at\":\"2026-01-01T00:00:00Z\",\"duration\":\"long\"}", "must be an integer"},
                new String[] {"{\"id\":\"n2\",\"status\":\"active\",\"started_at\":\"yesterday\"}", "ISO-8601"},
                new String[] {"{\"id\":\"n3\",\"status\":\"active\"}", "started_at is required"},
                new String[] {"{\"id\":\"n4\",\"status\":\"active\",\"started_at\":\"2026-01-01T00:00:00Z\",\"user_id\":\"other\"}", "tenant"},
                // keys are private to a tenant: another tenant's key is a new row here, and says nothing about theirs
                new String[] {"{\"id\":\"theirs\",\"status\":\"ended\"}", "key 'theirs' does not exist yet"},
                new String[] {"{\"id\":\"n5\",\"bogus\":1}", "unknown column"},
                new String[] {"[]", "empty array"},
                new String[] {big, "larger than"});
        for (String[] c : cases) {
            var r = server.post("/api/ingest/t1/call_logs", c[0]);
            assertThat(r.statusCode()).as(c[1]).isBetween(400, 499);
            assertThat(TestServer.json(r).path("error").asString()).as(r.body()).contains(c[1]);
        }
        assertThat(server.post("/api/ingest/t1/nope", "{}").statusCode()).isEqualTo(404);
        assertThat(server.get("/api/dashboards/calls/t1?hours=999").statusCode()).isEqualTo(400);
        assertThat(server.get("/api/dashboards/calls/t1?hours=999").body()).contains("hours must be between 1 and 744");
        assertThat(server.sb.store().changes().head().toString()).isEqualTo(before);
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + server.db()); var rs = c.createStatement()
                .executeQuery("SELECT count(*), sum(status = 'ended') FROM call_logs")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(2);
            assertThat(rs.getLong(2)).isZero();
        }
        assertThat(server.get("/api/health").statusCode()).isEqualTo(200);
        assertThat(server.get("/metrics").body()).contains("switchboard_changes_dispatched_total");
    }

    @Test
    void snapshot_equalsSql_andCarriesEtag() throws Exception {
        String[] outcomes = {"completed", "no_answer", "failed", "completed", null};
        for (int i = 0; i < 40; i++) {
            String o = outcomes[i % outcomes.length];
            server.post("/api/ingest/t1/call_logs", call("s" + i, o == null ? "active" : "ended", o, 10 + i).replace("agent-1", "agent-" + (i % 3)));
        }
        var r = server.get("/api/dashboards/calls/t1");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = TestServer.json(r);
        // Wait until the view has seen every write, then compare with SQL at the same position.
        var head = server.sb.store().changes().head();
        assertThat(server.sb.feed().awaitPosition(head, WAIT)).isTrue();
        var state = server.sb.engine().state(ViewKey.of("calls", "t1").withParam("hours", 24));
        var sql = server.sb.engine().sqlValues(state.key(), state.position() == null ? 0 : System.currentTimeMillis());
        for (String w : List.of("total_calls", "active_calls", "completed_calls", "average_duration", "success_rate", "outcome_counts", "agents", "recent_calls", "active_calls_list")) {
            assertThat(Equality.sameValues(state.widgets().get(w), sql.get(w))).as(w + ": live " + state.widgets().get(w) + " sql " + sql.get(w)).isTrue();
        }
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + server.db()); var rs = c.createStatement().executeQuery(
                "SELECT count(*), sum(status='active'), sum(outcome='completed'), avg(CASE WHEN status='ended' THEN duration END) FROM call_logs WHERE user_id='t1'")) {
            rs.next();
            JsonNode w = TestServer.json(server.get("/api/dashboards/calls/t1")).path("widgets");
            assertThat(w.path("total_calls").asLong()).isEqualTo(rs.getLong(1));
            assertThat(w.path("active_calls").asLong()).isEqualTo(rs.getLong(2));
            assertThat(w.path("completed_calls").asLong()).isEqualTo(rs.getLong(3));
            assertThat(w.path("average_duration").asDouble()).isCloseTo(rs.getDouble(4), org.assertj.core.data.Offset.offset(1e-9));
        }
        String etag = r.headers().firstValue("ETag").orElseThrow();
        var again = server.get("/api/dashboards/calls/t1", "If-None-Match", TestServer.json(server.get("/api/dashboards/calls/t1")).path("position").asString().isEmpty() ? etag : "\"" + TestServer.json(server.get("/api/dashboards/calls/t1")).path("position").asString() + "\"");
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(body.path("tenant").asString()).isEqualTo("t1");
    }

    @Test
    void tenants_neverSeeEachOther() throws Exception {
        try (SseClient sse = new SseClient(server.sb.port(), "/api/events/t2?dashboards=calls&datasets=call_logs", null)) {
            sse.await(e -> e.type().equals("snapshot"), WAIT);
            server.post("/api/ingest/t1/call_logs", call("secret", "active", null, 0));
            server.post("/api/ingest/t2/call_logs", call("mine", "active", null, 0));
            var change = sse.await(e -> e.type().equals("change"), WAIT);
            assertThat(change.data().path("key").asString()).isEqualTo("mine");
            assertThat(sse.drain(Duration.ofMillis(300))).noneMatch(e -> e.data().toString().contains("secret"));
        }
        JsonNode w = TestServer.json(server.get("/api/dashboards/calls/t2")).path("widgets");
        assertThat(w.path("total_calls").asLong()).isEqualTo(1);
        assertThat(w.toString()).doesNotContain("secret");
    }
}
