package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sse_sessions} in /api/health counts open connections: a session that ended (the
 * client went away and the next write failed) is not counted until the next heartbeat sweep.
 */
class SessionCountTest {
    @TempDir
    Path dir;

    @Test
    void endedSessions_leaveTheCount() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            for (int i = 0; i < 3; i++) {
                try (SseClient c = new SseClient(server.sb.port(), "/api/events/t1?datasets=call_logs", null)) {
                    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                    while (sessions(server) < 1 && System.nanoTime() < deadline) {
                        Thread.sleep(10);
                    }
                }
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int n = 0;
            while (sessions(server) > 0 && System.nanoTime() < deadline) {
                // writes to the gone clients fail, which ends their sessions
                server.post("/api/ingest/t1/call_logs", "{\"id\":\"s" + n++ + "\",\"status\":\"active\",\"started_at\":\"" + Instant.now() + "\"}");
                Thread.sleep(50);
            }
            assertThat(sessions(server)).isZero();
        }
    }

    private static long sessions(TestServer server) throws Exception {
        return TestServer.json(server.get("/api/health")).path("sse_sessions").asLong();
    }
}
