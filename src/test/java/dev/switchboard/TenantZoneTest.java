package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** A tenant's time zone drives its calendar windows and day buckets; other tenants keep the dashboard's (UTC). */
class TenantZoneTest {
    private static final ZoneId KIRITIMATI = ZoneId.of("Pacific/Kiritimati"); // UTC+14: "today" starts 14 h before UTC's

    @TempDir
    Path dir;

    @Test
    void today_andDayBuckets_followTheTenantsZone() throws Exception {
        Path dashboards = Files.createDirectories(dir.resolve("dashboards"));
        Files.writeString(dashboards.resolve("days.yaml"), """
                name: days
                title: Days
                widgets:
                  today: { stat: count, dataset: call_logs, window: today }
                  per_day: { series: count, bucket: 1d, dataset: call_logs, window: this_week }
                """);
        Config config = TestServer.config(dir, true, Optional.empty()).with(Config.DASHBOARDS, Optional.of(dashboards))
                .with(Config.TENANT_ZONES, Map.of("kiri", KIRITIMATI));
        try (TestServer server = new TestServer(dir, config, dev.switchboard.limits.Limits.DEFAULTS)) {
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            for (String tenant : List.of("kiri", "utc")) {
                List<String> rows = new ArrayList<>();
                for (int h = 0; h < 48; h++) {
                    rows.add("{\"id\":\"" + tenant + h + "\",\"status\":\"ended\",\"started_at\":\"" + now.minus(Duration.ofHours(h)).minusSeconds(30) + "\"}");
                }
                assertThat(server.post("/api/ingest/" + tenant + "/call_logs", "[" + String.join(",", rows) + "]").statusCode()).isEqualTo(200);
            }
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                for (var e : Map.of("kiri", KIRITIMATI, "utc", ZoneId.of("UTC")).entrySet()) {
                    Instant midnight = Instant.now().atZone(e.getValue()).toLocalDate().atStartOfDay(e.getValue()).toInstant();
                    long expected = 0;
                    for (int h = 0; h < 48; h++) {
                        if (!now.minus(Duration.ofHours(h)).minusSeconds(30).isBefore(midnight)) {
                            expected++;
                        }
                    }
                    JsonNode snap = TestServer.json(server.get("/api/dashboards/days/" + e.getKey()));
                    assertThat(snap.path("zone").asString()).isEqualTo(e.getValue().getId());
                    assertThat(snap.path("widgets").path("today").asLong()).as(e.getKey()).isEqualTo(expected);
                    // day buckets start at the tenant's midnights
                    List<Instant> starts = new ArrayList<>();
                    snap.path("widgets").path("per_day").forEach(b -> starts.add(Instant.parse(b.path("t").asString())));
                    assertThat(starts).contains(midnight);
                }
            });
        }
        assertThatThrownBy(() -> Config.parseZones("acme=Mars/Olympus")).hasMessageContaining("unknown time zone 'Mars/Olympus'");
        assertThatThrownBy(() -> Config.parseZones("acme")).hasMessageContaining("tenant=Zone");
    }
}
