package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.push.SseSession;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that stops reading takes a bounded number of bytes before its stream stalls: the
 * accepted connection's send buffer is capped ({@code http-send-buffer}), so the kernel does not
 * grow it to megabytes (Linux: up to {@code net.ipv4.tcp_wmem}'s 4 MiB) that the fan-out thread
 * would copy for it first, while the streams it serves next wait (issue 12, the honest clients'
 * tail under 500 non-reading streams).
 */
class StalledClientBytesTest {
    private static final Pattern SSE_COUNT = Pattern.compile("switchboard_commit_to_push_seconds_count\\{transport=\"sse\"} (\\d+)");
    /** Bytes of JSON padding per row: each change event is a little over 1 KiB. */
    private static final int PAD = 1000;

    @TempDir
    Path dir;

    @Test
    void nonReadingStream_stallsAfterAboutTheSendBuffer_notMegabytes() throws Exception {
        try (TestServer server = new TestServer(dir); Socket socket = new Socket()) {
            socket.setReceiveBufferSize(2048);
            socket.connect(new InetSocketAddress("127.0.0.1", server.sb.port()));
            socket.getOutputStream().write("GET /api/events/t1?datasets=call_logs HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            long handedBefore = sseHanded(server);
            long before = SseSession.overflows();
            String started = Instant.now().minusSeconds(30).toString();
            int total = 0;
            // up to 20,000 events of ~1 KiB (20 MiB): far more than any send buffer the kernel grows on its own
            for (int batch = 0; batch < 40 && SseSession.overflows() == before; batch++) {
                List<String> rows = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    rows.add("{\"id\":\"s" + total++ + "\",\"status\":\"active\",\"started_at\":\"" + started
                            + "\",\"metadata\":{\"pad\":\"" + "0".repeat(PAD) + "\"}}");
                }
                assertThat(server.post("/api/ingest/t1/call_logs", "[" + String.join(",", rows) + "]").statusCode()).isEqualTo(200);
            }
            // the stream stalled: the socket took no more, its queue overflowed
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> SseSession.overflows() > before);
            long handed = sseHanded(server) - handedBefore;
            System.out.printf("%,d rows posted; %,d live events handed to the stalled stream's socket%n", total, handed);
            // handed to the transport before the stall: what the socket took (send buffer, the
            // client's receive buffer) plus the one write left pending (at most 256 events, ~280 KiB).
            // 128 KiB, doubled by the kernel: about 550 events of ~1.1 KiB. The OS default grows
            // to megabytes: several thousand.
            assertThat(handed).as("live events handed to the non-reading stream's socket before it stalled").isBetween(1L, 1000L);
        }
    }

    /** Live events handed to SSE writers since start ({@code switchboard_commit_to_push_seconds_count}). */
    private static long sseHanded(TestServer server) throws Exception {
        Matcher m = SSE_COUNT.matcher(server.get("/metrics").body());
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
