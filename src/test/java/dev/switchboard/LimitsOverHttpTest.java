package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.limits.Limits;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12, finding 7: the limits answer 429 with Retry-After and a JSON error, and show in /metrics. */
class LimitsOverHttpTest {
    @TempDir
    Path dir;
    TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    void start(Map<String, String> env) {
        server = new TestServer(dir, false, Optional.of(AuthTest.SECRET), Limits.fromEnvironment(env));
    }

    @Test
    void streamsOfOneSubject_areCapped_andFreedWhenTheyClose() throws Exception {
        start(Map.of("SWITCHBOARD_STREAMS_PER_SUBJECT", "2"));
        String token = AuthTest.token("a", "u1", null, null, Instant.now().plus(Duration.ofHours(1)));
        String path = "/api/events/a?dashboards=calls&access_token=" + token;
        List<SseClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                SseClient c = new SseClient(server.sb.port(), path, null);
                open.add(c);
                c.await(e -> e.type().equals("snapshot"), Duration.ofSeconds(10));
            }
            var third = server.get(path);
            assertThat(third.statusCode()).isEqualTo(429);
            assertThat(third.headers().firstValue("Retry-After")).isPresent();
            assertThat(TestServer.json(third).path("error").asString()).contains("too many open streams").contains("u1");
            String other = AuthTest.token("a", "u2", null, null, Instant.now().plus(Duration.ofHours(1)));
            try (SseClient c = new SseClient(server.sb.port(), "/api/events/a?dashboards=calls&access_token=" + other, null)) {
                c.await(e -> e.type().equals("snapshot"), Duration.ofSeconds(10));
            }
            open.remove(0).close();
            // The server notices a closed stream when it next writes to it: make changes to write.
            String writer = "Bearer " + AuthTest.token("a", "svc", null, "writer", Instant.now().plus(Duration.ofHours(1)));
            int[] n = {0};
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                server.post("/api/ingest/a/call_logs", SseWireTest.call("c" + n[0]++, "active", null, 0), "Authorization", writer);
                try (SseClient c = new SseClient(server.sb.port(), path, null)) {
                    c.await(e -> e.type().equals("snapshot"), Duration.ofSeconds(2));
                }
            });
        } finally {
            for (SseClient c : open) {
                c.close();
            }
        }
        assertThat(server.get("/metrics", "Authorization", "Bearer " + AuthTest.token("*", "ops", null, "admin",
                Instant.now().plus(Duration.ofHours(1)))).body()).contains("switchboard_limit_rejections_total{limit=\"streams_per_subject\"}");
    }

    @Test
    void requestRateOfOneSubject_isCapped() throws Exception {
        start(Map.of("SWITCHBOARD_RATE_PER_SUBJECT", "1"));
        String token = "Bearer " + AuthTest.token("a", "u1", null, null, Instant.now().plus(Duration.ofHours(1)));
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            var r = server.get("/api/dashboards/calls/a", "Authorization", token);
            statuses.add(r.statusCode());
            if (r.statusCode() == 429) {
                assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
                assertThat(TestServer.json(r).path("status").asInt()).isEqualTo(429);
            }
        }
        // A burst of two, then about one a second: ten requests in well under eight seconds meet 429.
        assertThat(statuses.subList(0, 2)).containsOnly(200);
        assertThat(statuses).contains(429);
        String other = "Bearer " + AuthTest.token("a", "u2", null, null, Instant.now().plus(Duration.ofHours(1)));
        assertThat(server.get("/api/dashboards/calls/a", "Authorization", other).statusCode()).isEqualTo(200);
    }
}
