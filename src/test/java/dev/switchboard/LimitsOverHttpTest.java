package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.limits.Limits;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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

    /**
     * Issue 12, finding 7: connections that send their request head a byte at a time (slowloris)
     * were all held. Connections of one address are capped; one more is closed at once, and the
     * place is free again when one closes. Other addresses are not affected.
     */
    @Test
    void connectionsOfOneAddress_areCapped_slowHeadsCannotHoldMore() throws Exception {
        start(Map.of("SWITCHBOARD_CONNECTIONS_PER_IP", "5"));
        List<java.net.Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                java.net.Socket s = new java.net.Socket("127.0.0.1", server.sb.port());
                slow.add(s);
                // one whole request first, so the server surely holds this connection, then a head that never ends
                s.getOutputStream().write("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                s.setSoTimeout(10_000);
                assertThat(new String(s.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
                s.getOutputStream().write("GET /api/health HTTP/1.1\r\nHost: 127".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            try (java.net.Socket sixth = new java.net.Socket("127.0.0.1", server.sb.port())) {
                sixth.setSoTimeout(10_000);
                sixth.getOutputStream().write("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                int read;
                try {
                    read = sixth.getInputStream().read();
                } catch (java.net.SocketException reset) {
                    read = -1;
                }
                assertThat(read).as("the sixth connection is closed without an answer").isEqualTo(-1);
            }
            // another address is not affected
            try (java.net.Socket other = new java.net.Socket()) {
                other.bind(new java.net.InetSocketAddress("127.0.0.2", 0));
                other.connect(new java.net.InetSocketAddress("127.0.0.1", server.sb.port()));
                other.setSoTimeout(10_000);
                other.getOutputStream().write("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                assertThat(new String(other.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
            }
            slow.remove(0).close();
            // (until the server noticed the close, a new connection is still over the limit)
            Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
                    assertThat(server.get("/api/health").statusCode()).isEqualTo(200));
        } finally {
            for (java.net.Socket s : slow) {
                s.close();
            }
        }
        String admin = "Bearer " + AuthTest.token("*", "ops", null, "admin", Instant.now().plus(Duration.ofHours(1)));
        assertThat(server.get("/metrics", "Authorization", admin).body()).contains("switchboard_limit_rejections_total{limit=\"connections_per_ip\"}");
    }

    /**
     * Issue 12, finding 8: 5,000-row batches refused at their last row cost their sender nothing.
     * Rows count against the sender's rows-per-second budget before any work, refused or not.
     */
    @Test
    void rowsOfOneSubject_costItsBudget_evenWhenTheBatchIsRefused() throws Exception {
        start(Map.of("SWITCHBOARD_ROWS_PER_SUBJECT", "1000"));
        String writer = "Bearer " + AuthTest.token("a", "noisy", null, "writer", Instant.now().plus(Duration.ofHours(1)));
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 999; i++) {
            batch.append(SseWireTest.call("r" + i, "ended", null, 0)).append(',');
        }
        String failing = batch + "{\"id\":\"last\",\"status\":\"ended\",\"started_at\":\"2026-12-02T00:00:00Z\",\"duration\":\"long\"}]";
        assertThat(server.post("/api/ingest/a/call_logs", failing, "Authorization", writer).statusCode()).isEqualTo(400);
        assertThat(server.post("/api/ingest/a/call_logs", failing, "Authorization", writer).statusCode()).isEqualTo(400);
        var third = server.post("/api/ingest/a/call_logs", failing, "Authorization", writer);
        assertThat(third.statusCode()).isEqualTo(429); // a burst of two seconds' worth, then refused before any work
        assertThat(third.headers().firstValue("Retry-After")).isPresent();
        assertThat(TestServer.json(third).path("error").asString()).contains("rows per second").contains("noisy");
        String other = "Bearer " + AuthTest.token("a", "calm", null, "writer", Instant.now().plus(Duration.ofHours(1)));
        assertThat(server.post("/api/ingest/a/call_logs", SseWireTest.call("c1", "active", null, 0), "Authorization", other).statusCode())
                .isEqualTo(200);
    }

    /**
     * Issue 12, findings 5 and 7: a client reopening streams in a loop is held to its own rate of
     * openings. The openings go out back to back until one is refused: at one per second with a
     * burst of two, the refusal comes by the third unless an opening takes most of a second, and
     * by the tenth on any machine that opens a stream in under 0.8 s (the bucket refills meanwhile).
     */
    @Test
    void streamOpeningsOfOneAddress_areRateLimited() throws Exception {
        start(Map.of("SWITCHBOARD_STREAM_OPENS_PER_IP", "1"));
        String token = AuthTest.token("a", "u1", null, null, Instant.now().plus(Duration.ofHours(1)));
        String path = "/api/events/a?datasets=call_logs&access_token=" + token;
        List<Socket> open = new ArrayList<>();
        try {
            String refusal = null;
            for (int i = 0; i < 10 && refusal == null; i++) {
                Socket s = new Socket("127.0.0.1", server.sb.port());
                s.setSoTimeout(10_000);
                s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                String status = in.readLine();
                if (status != null && status.contains(" 200 ")) {
                    open.add(s); // a stream, held open: it used an opening
                    continue;
                }
                try (s) {
                    assertThat(status).as("opening %d", i + 1).contains(" 429 ");
                    StringBuilder answer = new StringBuilder();
                    for (String line; (line = in.readLine()) != null; ) { // HTTP/1.0: the server closes after the answer
                        answer.append(line).append('\n');
                    }
                    refusal = answer.toString();
                }
            }
            assertThat(open).as("the burst of two seconds' worth").hasSizeGreaterThanOrEqualTo(2);
            assertThat(refusal).as("an opening refused within ten").isNotNull();
            assertThat(refusal).containsIgnoringCase("Retry-After:").contains("stream openings per second");
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
