package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.csv.CsvMapper;
import tools.jackson.dataformat.csv.CsvSchema;

/** CSV export of table and list widgets: the live view's rows, equal to SQL, scoped like the view. */
class ExportTest {
    @TempDir
    Path dir;

    private static List<Map<String, String>> csv(String body) {
        CsvMapper mapper = CsvMapper.builder().build();
        List<Map<String, String>> out = new ArrayList<>();
        try (MappingIterator<Map<String, String>> it = mapper.readerFor(Map.class).with(CsvSchema.emptySchema().withHeader()).readValues(body)) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    private static void seed(TestServer server) throws Exception {
        Instant now = Instant.now();
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            rows.add("{\"id\":\"c" + i + "\",\"status\":\"ended\",\"outcome\":\"" + (i % 3 == 0 ? "completed" : "no_answer") + "\",\"duration\":" + (10 * i)
                    + ",\"started_at\":\"" + now.minusSeconds(60L * i) + "\",\"agent_config_id\":\"agent-" + (i % 2) + "\",\"phone_number\":\"+1555010" + i
                    + "\",\"metadata\":{\"note\":\"a, \\\"quoted\\\" value\"}}");
        }
        assertThat(server.post("/api/ingest/t1/call_logs", "[" + String.join(",", rows) + "]").statusCode()).isEqualTo(200);
    }

    @Test
    void tableAndListExports_equalSql() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            seed(server);
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                var r = server.get("/api/export/calls/t1/agents?hours=24");
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
                assertThat(r.headers().firstValue("Content-Disposition").orElse("")).contains("calls-t1-agents.csv");
                Map<String, String> totals = new LinkedHashMap<>();
                csv(r.body()).forEach(l -> totals.put(l.get("agent_config_id"), l.get("total_calls")));
                Map<String, String> sql = new LinkedHashMap<>();
                try (var c = DriverManager.getConnection("jdbc:sqlite:" + server.db()); var rs = c.createStatement().executeQuery(
                        "SELECT agent_config_id, count(*) FROM call_logs WHERE user_id = 't1' GROUP BY agent_config_id ORDER BY count(*) DESC, agent_config_id")) {
                    while (rs.next()) {
                        sql.put(rs.getString(1), Long.toString(rs.getLong(2)));
                    }
                }
                assertThat(totals).containsExactlyEntriesOf(sql);
            });
            var list = csv(server.get("/api/export/call_history/t1/recent_calls").body());
            assertThat(list).hasSize(9);
            assertThat(list.get(0).get("id")).isEqualTo("c0");
            assertThat(list.get(0).get("metadata")).contains("quoted"); // nested JSON survives quoting
            assertThat(list.get(0).get("phone_number")).isEqualTo("+15550100");
        }
    }

    @Test
    void badWidgets_andOtherTenants_areRefused() throws Exception {
        try (TestServer server = new TestServer(dir, false, Optional.of(AuthTest.SECRET))) {
            String agent = AuthTest.token("t1", "agent-1", "agent", null, Instant.now().plusSeconds(600));
            String writer = AuthTest.token("t1", "w", null, "writer", Instant.now().plusSeconds(600));
            assertThat(server.post("/api/ingest/t1/call_logs", "[{\"id\":\"a\",\"status\":\"active\",\"started_at\":\"" + Instant.now()
                    + "\",\"agent_config_id\":\"agent-1\"},{\"id\":\"b\",\"status\":\"active\",\"started_at\":\"" + Instant.now()
                    + "\",\"agent_config_id\":\"agent-2\"}]", "Authorization", "Bearer " + writer).statusCode()).isEqualTo(200);
            var own = server.get("/api/export/call_history/t1/recent_calls", "Authorization", "Bearer " + agent);
            assertThat(own.statusCode()).isEqualTo(403); // call_history has no agent scope: a scoped token cannot read it
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                var scoped = server.get("/api/export/calls/t1/recent_calls", "Authorization", "Bearer " + agent);
                assertThat(scoped.statusCode()).isEqualTo(200);
                assertThat(csv(scoped.body())).extracting(l -> l.get("id")).containsExactly("a"); // only the agent's own calls
            });
            assertThat(server.get("/api/export/calls/t2/recent_calls", "Authorization", "Bearer " + agent).statusCode()).isEqualTo(403);
            assertThat(server.get("/api/export/calls/t1/recent_calls").statusCode()).isEqualTo(401);
            var stat = server.get("/api/export/calls/t1/total_calls", "Authorization", "Bearer " + writer);
            assertThat(stat.statusCode()).isEqualTo(400);
            assertThat(stat.body()).contains("only table and list widgets");
            assertThat(server.get("/api/export/calls/t1/nope", "Authorization", "Bearer " + writer).statusCode()).isEqualTo(404);
        }
    }
}
