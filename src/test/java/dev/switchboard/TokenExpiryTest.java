package dev.switchboard;

import static dev.switchboard.WsClient.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.pg.Sse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A live stream ends when its token expires, on every transport, after telling the client why. */
class TokenExpiryTest {
    @TempDir
    Path dir;

    @Test
    void sseAndWebSocket_endAtTheTokensExpiry_withAnExpiredNotice() throws Exception {
        try (TestServer server = new TestServer(dir, false, Optional.of(AuthTest.SECRET))) {
            String token = AuthTest.token("A", "u1", null, null, Instant.now().plusSeconds(3));
            List<Sse.Event> got = new CopyOnWriteArrayList<>();
            Sse sse = new Sse(server.sb.port(), "/api/events/A?dashboards=calls&access_token=" + token, null, got::add);
            try (WsClient ws = new WsClient(server.sb.port(), "/api/events/A?dashboards=calls&access_token=" + token)) {
                ws.await(event("snapshot"), Duration.ofSeconds(10));
                var expired = ws.await(event("expired"), Duration.ofSeconds(15));
                assertThat(expired.path("data").path("status").asInt()).isEqualTo(401);
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(ws.closed::isDone); // the server closed the stream
            }
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !sse.open());
            assertThat(got).extracting(Sse.Event::type).startsWith("snapshot").endsWith("expired");
            sse.close();
        }
    }
}
