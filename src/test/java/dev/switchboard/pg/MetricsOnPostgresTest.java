package dev.switchboard.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Switchboard;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On PostgreSQL, /metrics carries the HikariCP pool's series and capture lag once capture streams,
 * and every series the example Grafana dashboard and alert rules in docs/ops use.
 */
class MetricsOnPostgresTest {
    @TempDir
    Path dir;

    @Test
    void metrics_onPostgres_havePoolAndCaptureLag() throws Exception {
        try (PgDatabase db = PgDatabase.create("metrics"); Switchboard sb = Nodes.inProcess(db, "metrics-a", dir)) {
            db.exec("INSERT INTO call_logs (id, user_id, status, started_at) VALUES ('m-1', 'demo-call-center', 'active', now())");
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                String metrics = Nodes.get(sb.port(), "/metrics").body();
                assertThat(metrics).contains("hikaricp_connections_active{").contains("hikaricp_connections_max{");
                // -1 while not streaming; a measured lag is 0 or more
                assertThat(metrics).containsPattern("(?m)^switchboard_capture_lag_bytes [0-9]")
                        .containsPattern("(?m)^switchboard_capture_lag_seconds [0-9]");
            });
            // the example dashboard and alert rules use only series this node really exposes
            assertThat(Nodes.get(sb.port(), "/api/ingest/demo-call-center/call_logs").statusCode()).isEqualTo(405);
            System.gc(); // a GC pause, for jvm_gc_pause_seconds
            java.util.Set<String> used = new java.util.TreeSet<>();
            for (String doc : new String[] {"docs/ops/alerts.yml", "docs/ops/grafana-dashboard.json"}) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b(switchboard|hikaricp|jvm|process|http_server)_[a-z_]+")
                        .matcher(java.nio.file.Files.readString(Path.of(doc)));
                while (m.find()) {
                    used.add(m.group());
                }
            }
            assertThat(used).contains("switchboard_capture_lag_seconds", "http_server_requests_seconds_bucket", "hikaricp_connections_pending");
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                String metrics = Nodes.get(sb.port(), "/metrics").body();
                for (String series : used) {
                    assertThat(metrics).as(series).containsPattern("(?m)^" + series + "[{ ]");
                }
            });
        }
    }
}
