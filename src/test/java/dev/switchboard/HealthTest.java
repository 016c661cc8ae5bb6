package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /api/health tells a load balancer the truth: 200 "ok" while changes flow, 503 "degraded" with a
 * reason while the change log cannot be read, and 200 again once it can. The fault is real: the
 * sqlite3 tool renames the change log table under the running server.
 */
class HealthTest {
    @TempDir
    Path dir;

    @Test
    void changeLogUnreadable_healthIsDegradedWithReason_thenRecovers() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            HttpResponse<String> ok = server.get("/api/health");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(TestServer.json(ok).path("status").asString()).isEqualTo("ok");
            assertThat(TestServer.json(ok).has("problems")).isFalse();

            sqlite3(server, "ALTER TABLE sb_changes RENAME TO sb_changes_away;");
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> server.get("/api/health").statusCode() == 503);
            var degraded = TestServer.json(server.get("/api/health"));
            assertThat(degraded.path("status").asString()).isEqualTo("degraded");
            assertThat(degraded.path("problems").get(0).asString()).contains("reading the change log fails").contains("sb_changes");
            // the last known state is still served
            assertThat(server.get("/api/dashboards/calls/t1").statusCode()).isEqualTo(200);

            sqlite3(server, "ALTER TABLE sb_changes_away RENAME TO sb_changes;");
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> server.get("/api/health").statusCode() == 200);
            assertThat(server.post("/api/ingest/t1/call_logs",
                    "{\"id\":\"h1\",\"status\":\"active\",\"started_at\":\"2026-11-23T12:00:00.000Z\"}").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    TestServer.json(server.get("/api/dashboards/calls/t1")).path("widgets").path("active_calls").asLong() == 1);
        }
    }

    private static void sqlite3(TestServer server, String sql) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sqlite3", "-cmd", ".timeout 10000", server.db().toString(), sql).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }
}
