package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.change.Times;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A new demo opens on full long charts: after the backfill every bucket of the 30-day, 7-day,
 * 24-hour and 60-minute series has data, and nothing that runs for minutes has been running for
 * hours. The clock is fixed at a Wednesday afternoon, so the history (seed 42) is the same every
 * run and the live loop adds nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoHistoryTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Instant NOW = Instant.parse("2026-11-25T15:30:00Z");

    @TempDir
    static Path dir;
    private Switchboard sb;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws InterruptedException {
        sb = Switchboard.start(new Config(true, "127.0.0.1", 0, dir, Optional.empty(), 20, Optional.empty(), Optional.empty(), false,
                "history"), Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(sb.feed().awaitPosition(sb.store().changes().head(), Duration.ofSeconds(60))).isTrue();
    }

    @AfterAll
    void stop() {
        sb.close();
    }

    private List<Double> series(String dashboard, String tenant, String widget) throws Exception {
        var response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sb.port() + "/api/dashboards/" + dashboard + "/" + tenant))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode points = JSON.readTree(response.body()).path("widgets").path(widget);
        List<Double> values = new ArrayList<>();
        points.forEach(p -> values.add(p.path("v").asDouble()));
        return values;
    }

    @ParameterizedTest(name = "{0}/{1} {2}")
    @CsvSource({
            "shop, fixit-downtown, revenue_overview, 31",
            "shop, gadget-garage, revenue_overview, 31",
            "bookings, d2d-xpress-tom, calls_per_day, 8",
            "bookings, acme-roofing, calls_per_day, 8",
            "calls, demo-call-center, calls_per_hour, 25",
            "calls, northwind-support, calls_per_hour, 25",
            "campaigns, acme-outbound, attempts_per_minute, 61",
            "campaigns, globex-sales, attempts_per_minute, 61"})
    void everyBucketOfALongChart_hasData(String dashboard, String tenant, String widget, int buckets) throws Exception {
        List<Double> values = series(dashboard, tenant, widget);
        assertThat(values).as(dashboard + "/" + tenant + " " + widget).hasSize(buckets);
        // The minute now begins in has had no time yet; every other bucket is filled.
        List<Double> filled = widget.equals("attempts_per_minute") ? values.subList(0, values.size() - 1) : values;
        assertThat(filled).as(dashboard + "/" + tenant + " " + widget + " " + values).allMatch(v -> v > 0);
    }

    @Test
    void nothingThatRunsForMinutes_hasBeenRunningForHours() throws Exception {
        String tenMinutesAgo = Times.format(NOW.minus(Duration.ofMinutes(10)));
        assertThat(count("SELECT count(*) FROM call_logs WHERE status = 'active' AND started_at < ?", tenMinutesAgo)).as("long active calls").isZero();
        assertThat(count("SELECT count(*) FROM call_logs WHERE status = 'active'")).as("calls active now").isPositive();
        assertThat(count("SELECT count(*) FROM call_attempts WHERE status IN ('dialing', 'ringing', 'in_progress') AND started_at < ?", tenMinutesAgo))
                .as("long attempts").isZero();
        assertThat(count("SELECT count(*) FROM booking_calls WHERE status IN ('queued', 'ringing', 'in_progress') AND created_at < ?", tenMinutesAgo))
                .as("long booking calls").isZero();
        assertThat(count("SELECT count(*) FROM appointments WHERE status IN ('booked', 'confirmed', 'rescheduled') AND start_time < ?",
                Times.format(NOW.minus(Duration.ofMinutes(2))))).as("appointments past their start, not attended").isZero();
        assertThat(count("SELECT count(*) FROM clinic_appointments WHERE status IN ('pending', 'confirmed') AND start_time < ?",
                Times.format(NOW.minus(Duration.ofMinutes(20))))).as("clinic appointments past their start, still pending or confirmed").isZero();
        assertThat(count("SELECT count(*) FROM clinic_appointments WHERE status IN ('pending', 'confirmed') AND start_time >= ?", Times.format(NOW)))
                .as("clinic appointments ahead").isPositive();
    }

    private long count(String sql, Object... params) throws Exception {
        return TestServer.sqliteLong(dir.resolve("switchboard.db"), sql, params);
    }
}
