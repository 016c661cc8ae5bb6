package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.push.SseSession;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A client that stops reading does not make the server buffer without bound, and catches up when it reads again. */
class BackpressureTest {
    @TempDir
    Path dir;

    @Test
    void pausedClient_overflowsBoundedQueue_thenResyncsToTheTruth() throws Exception {
        try (TestServer server = new TestServer(dir); Socket socket = new Socket()) {
            socket.setReceiveBufferSize(2048);
            socket.connect(new InetSocketAddress("127.0.0.1", server.sb.port()));
            socket.getOutputStream().write(("GET /api/events/t1?dashboards=calls&datasets=call_logs HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            long before = SseSession.overflows();
            String started = Instant.now().minusSeconds(30).toString();
            int total = 0;
            for (int batch = 0; batch < 40 && SseSession.overflows() == before; batch++) {
                List<String> rows = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    rows.add("{\"id\":\"p" + total++ + "\",\"status\":\"active\",\"started_at\":\"" + started + "\",\"metadata\":{\"pad\":\"" + "0".repeat(300) + "\"}}");
                }
                assertThat(server.post("/api/ingest/t1/call_logs", "[" + String.join(",", rows) + "]").statusCode()).isEqualTo(200);
            }
            final int expected = total;
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> SseSession.overflows() > before);
            // Now read everything: the stream must end with the dashboard at the true total.
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            socket.setSoTimeout(15000);
            String line;
            boolean sawReset = false;
            long lastTotal = -1;
            String type = "";
            List<String> keys = new ArrayList<>();
            while ((line = in.readLine()) != null) {
                if (line.startsWith("event: ")) {
                    type = line.substring(7);
                    sawReset |= type.equals("reset");
                } else if (line.startsWith("data: ") && type.equals("change")) {
                    keys.add(TestServer.JSON.readTree(line.substring(6)).path("key").asString());
                } else if (line.startsWith("data: ") && (type.equals("snapshot") || type.equals("delta"))) {
                    var w = TestServer.JSON.readTree(line.substring(6)).path("widgets");
                    if (w.has("active_calls")) {
                        lastTotal = w.path("active_calls").asLong();
                    }
                }
                if (lastTotal == expected && (sawReset || keys.size() >= expected)) {
                    break;
                }
            }
            assertThat(lastTotal).isEqualTo(expected);
            if (!sawReset) {
                // The resync resumed from the ring: every change exactly once, in order.
                List<String> all = new ArrayList<>();
                for (int i = 0; i < expected; i++) {
                    all.add("p" + i);
                }
                assertThat(keys).containsExactlyElementsOf(all);
            }
        }
    }
}
