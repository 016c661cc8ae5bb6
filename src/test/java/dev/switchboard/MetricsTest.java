package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** After some traffic, /metrics carries JVM, process and HTTP series, with refused requests counted by status. */
class MetricsTest {
    @TempDir
    Path dir;

    @Test
    void metrics_afterTraffic_haveJvmHttpAndRejectedSeries() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            assertThat(server.post("/api/ingest/demo-call-center/call_logs",
                    "{\"id\":\"m-1\",\"status\":\"active\",\"started_at\":\"2026-11-23T12:00:00.000Z\"}").statusCode()).isEqualTo(200);
            assertThat(server.post("/api/ingest/demo-call-center/call_logs", "{\"id\":").statusCode()).isEqualTo(400);
            assertThat(server.get("/api/nothing-here").statusCode()).isEqualTo(404);
            String metrics = server.get("/metrics").body();
            assertThat(metrics)
                    .contains("jvm_memory_used_bytes{")
                    .contains("jvm_gc_")
                    .contains("jvm_threads_live_threads")
                    .contains("process_uptime_seconds")
                    .contains("process_cpu_usage")
                    .containsPattern("http_server_requests_seconds_count\\{method=\"POST\",route=\"/api/ingest\",status=\"200\"} 1")
                    .containsPattern("switchboard_http_rejected_total\\{route=\"/api/ingest\",status=\"400\"} 1")
                    .containsPattern("switchboard_http_rejected_total\\{route=\"/api/other\",status=\"404\"} 1")
                    .contains("switchboard_views");
        }
    }

    @Test
    void commitToPushLatency_afterLiveTraffic_isAHistogramPerTransport() throws Exception {
        try (TestServer server = new TestServer(dir);
             SseClient sse = new SseClient(server.sb.port(), "/api/events/t1?datasets=call_logs&dashboards=calls", null);
             WsClient ws = new WsClient(server.sb.port(), "/api/events/t1?datasets=call_logs")) {
            sse.await(e -> e.type().equals("snapshot"), java.time.Duration.ofSeconds(10));
            // the streams are live once a change posted now reaches them (an opening is no latency)
            String key = null;
            for (int i = 0; key == null && i < 100; i++) {
                String k = "lat-" + i;
                server.post("/api/ingest/t1/call_logs", "{\"id\":\"" + k + "\",\"status\":\"active\",\"started_at\":\"2026-11-23T12:00:00.000Z\"}");
                try {
                    ws.await(n -> n.path("data").path("key").asString("").equals(k), java.time.Duration.ofMillis(500));
                    key = k;
                } catch (AssertionError notYet) {
                    // the stream registers a moment after it connects
                }
            }
            String last = key;
            sse.await(e -> e.type().equals("change") && e.data().path("key").asString().equals(last), java.time.Duration.ofSeconds(10));
            String metrics = server.get("/metrics").body();
            assertThat(metrics)
                    .containsPattern("switchboard_commit_to_push_seconds_bucket\\{transport=\"sse\",le=\"0\\.1\"} [0-9]")
                    .containsPattern("switchboard_commit_to_push_seconds_bucket\\{transport=\"sse\",le=\"\\+Inf\"} [1-9]")
                    .containsPattern("switchboard_commit_to_push_seconds_bucket\\{transport=\"websocket\",le=\"\\+Inf\"} [1-9]")
                    .containsPattern("switchboard_commit_to_push_seconds_count\\{transport=\"sse\"} [1-9]")
                    .containsPattern("switchboard_commit_to_push_seconds_sum\\{transport=\"websocket\"} ");
        }
    }

    @Test
    void everyResponse_carriesARequestId_echoingAPlausibleOneGiven() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            assertThat(server.get("/api/health").headers().firstValue("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).isNotBlank());
            assertThat(server.get("/api/health", "X-Request-Id", "lb-1234").headers().firstValue("X-Request-Id")).hasValue("lb-1234");
            assertThat(server.get("/api/health", "X-Request-Id", "bad id with spaces").headers().firstValue("X-Request-Id"))
                    .hasValueSatisfying(id -> assertThat(id).doesNotContain(" "));
        }
    }

    @Test
    void openStreamsByTransport_andViewBootstrapTimes_areSeries() throws Exception {
        try (TestServer server = new TestServer(dir);
             SseClient sse = new SseClient(server.sb.port(), "/api/events/t1?dashboards=calls", null)) {
            sse.await(e -> e.type().equals("snapshot"), java.time.Duration.ofSeconds(20));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
                String m = server.get("/metrics").body();
                assertThat(m).contains("switchboard_stream_sessions{transport=\"sse\"} 1.0")
                        .contains("switchboard_stream_sessions{transport=\"websocket\"} 0.0")
                        .contains("switchboard_stream_sessions{transport=\"socketio\"} 0.0");
                assertThat(m).containsPattern("switchboard_view_bootstrap_seconds_count [1-9]");
            });
        }
    }
}
