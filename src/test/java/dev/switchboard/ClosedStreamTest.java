package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A client that closes its SSE connection is noticed at once, not at the next write or heartbeat. */
class ClosedStreamTest {
    @TempDir
    Path dir;

    @Test
    void closedClient_leavesItsTopics_withoutAnyWrite() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            Socket s = new Socket("127.0.0.1", server.sb.port());
            s.getOutputStream().write("GET /api/events/t1?datasets=call_logs HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(s.getInputStream().read(new byte[4096])).isPositive();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> subscribers(server) == 1);
            s.close();
            // no change is written and the heartbeat is 15 s away: only reading the connection can notice
            Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> subscribers(server) == 0);
        }
    }

    private static long subscribers(TestServer server) throws Exception {
        return TestServer.json(server.get("/api/health")).path("subscribers").asLong();
    }
}
