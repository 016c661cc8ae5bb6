package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.change.Times;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.dataset.RowValidator;
import dev.switchboard.live.Equality;
import dev.switchboard.live.ViewKey;
import dev.switchboard.packs.Simulator;
import dev.switchboard.packs.Simulators;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import dev.switchboard.store.postgres.PgTestDatabase;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every shipped dashboard, fed by its pack's simulator, served over REST and SSE: every widget
 * equals the engine's SQL for it, and each domain's headline figure equals a hand-written query.
 * The same kit runs against both stores: embedded SQLite and PostgreSQL with logical decoding.
 */
class PackDashboardsTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Instant NOW = Instant.parse("2026-11-23T15:30:00Z");
    @TempDir
    Path dir;
    String jdbc;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sqlite", "postgresql"})
    void everyShippedDashboard_matchesSql_overRestAndSse(String store) throws Exception {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        PgTestDatabase pg = store.equals("postgresql") ? PgTestDatabase.create("packs") : null;
        jdbc = pg == null ? "jdbc:sqlite:" + dir.resolve("switchboard.db") : pg.url;
        try (pg; Switchboard sb = Switchboard.start(new Config(true, "127.0.0.1", 0, dir, Optional.ofNullable(pg).map(p -> p.url), 0,
                Optional.empty(), Optional.empty(), false, "packs"), clock)) {
            Map<String, TreeSet<String>> tenantsByDataset = simulate(sb);
            assertThat(sb.feed().awaitPosition(sb.store().changes().head(), Duration.ofSeconds(20))).isTrue();
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + sb.port();
            JsonNode list = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/dashboards")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(list.path("dashboards").size()).isGreaterThanOrEqualTo(5);
            int checked = 0;
            for (JsonNode d : list.path("dashboards")) {
                String name = d.path("name").asString();
                var def = sb.engine().definitions().find(name).orElseThrow();
                TreeSet<String> tenants = new TreeSet<>();
                def.widgets().values().forEach(w -> tenants.addAll(tenantsByDataset.getOrDefault(
                        w.has("list") ? w.path("list").asString() : w.path("dataset").asString(), new TreeSet<>())));
                assertThat(tenants).as("simulated tenants for " + name).isNotEmpty();
                for (String tenant : tenants) {
                    var rest = http.send(HttpRequest.newBuilder(URI.create(base + "/api/dashboards/" + name + "/" + tenant)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(rest.statusCode()).isEqualTo(200);
                    JsonNode widgets = JSON.readTree(rest.body()).path("widgets");
                    ViewKey key = sb.engine().definitions().key(def, tenant, "", "", Map.of());
                    Map<String, Object> sql = sb.engine().sqlValues(key, NOW.toEpochMilli());
                    Map<String, Object> live = JSON.convertValue(widgets, Map.class);
                    for (String w : sql.keySet()) {
                        Object sqlJson = JSON.convertValue(JSON.valueToTree(sql.get(w)), Object.class);
                        assertThat(Equality.sameValues(live.get(w), sqlJson))
                                .as(name + "/" + tenant + "/" + w + " live=" + live.get(w) + " sql=" + sqlJson).isTrue();
                    }
                    try (SseClient sse = new SseClient(sb.port(), "/api/events/" + tenant + "?dashboards=" + name, null)) {
                        var snap = sse.await(e -> e.type().equals("snapshot"), Duration.ofSeconds(10));
                        assertThat(snap.data().path("widgets")).isEqualTo(widgets);
                    }
                    checked++;
                }
            }
            assertThat(checked).isGreaterThanOrEqualTo(10);
            headlines(sb, http, base, tenantsByDataset);
            names(http, base, tenantsByDataset);
        }
    }

    /**
     * Names through lookups against JOINs written by hand: calls per team (call -> agent -> team),
     * and the patient and dentist named on each recent booking of the clinic.
     */
    private void names(HttpClient http, String base, Map<String, TreeSet<String>> tenants) throws Exception {
        assertThat(tenants.get("agents")).as("agents written").isEqualTo(tenants.get("call_logs"));
        assertThat(tenants.get("patients")).as("patients written").isEqualTo(tenants.get("clinic_appointments"));
        String dayAgo = Times.format(NOW.minus(Duration.ofHours(24)));
        for (String tenant : tenants.get("call_logs")) {
            Map<String, Double> expected = new TreeMap<>();
            try (var c = DriverManager.getConnection(jdbc); var ps = c.prepareStatement("SELECT coalesce(a.team, '(none)'), count(*) FROM call_logs l"
                    + " LEFT JOIN agents a ON a.user_id = l.user_id AND a.id = l.agent_config_id WHERE l.user_id = ? AND l.started_at >= '" + dayAgo
                    + "' GROUP BY coalesce(a.team, '(none)')")) {
                ps.setString(1, tenant);
                try (var rs = ps.executeQuery()) {
                    while (rs.next()) {
                        expected.put(rs.getString(1), rs.getDouble(2));
                    }
                }
            }
            JsonNode byTeam = widgets(http, base, "calls", tenant).path("calls_by_team");
            Map<String, Double> live = new TreeMap<>();
            byTeam.properties().forEach(e -> live.put(e.getKey(), e.getValue().asDouble()));
            assertThat(live).as("calls/" + tenant + "/calls_by_team").isNotEmpty().isEqualTo(expected).doesNotContainKey("(none)");
        }
        for (String tenant : tenants.get("clinic_appointments")) {
            JsonNode recent = widgets(http, base, "clinic", tenant).path("recent_bookings");
            assertThat(recent.size()).isPositive();
            try (var c = DriverManager.getConnection(jdbc); var ps = c.prepareStatement("SELECT p.name, d.name FROM clinic_appointments a"
                    + " LEFT JOIN patients p ON p.clinic_id = a.clinic_id AND p.id = a.patient_id"
                    + " LEFT JOIN dentists d ON d.clinic_id = a.clinic_id AND d.id = a.dentist_id WHERE a.clinic_id = ? AND a.id = ?")) {
                for (JsonNode row : recent) {
                    ps.setString(1, tenant);
                    ps.setString(2, row.path("id").asString());
                    try (var rs = ps.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(row.path("patient.name").asString()).as("patient of " + row).isNotBlank().isEqualTo(rs.getString(1));
                        assertThat(row.path("dentist.name").asString()).as("dentist of " + row).isNotBlank().isEqualTo(rs.getString(2));
                    }
                }
            }
        }
    }

    private static JsonNode widgets(HttpClient http, String base, String dashboard, String tenant) throws Exception {
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/dashboards/" + dashboard + "/" + tenant)).build(),
                HttpResponse.BodyHandlers.ofString()).body()).path("widgets");
    }

    /** Runs every simulator over the ten minutes before NOW, through the validated ingest path. */
    private static Map<String, TreeSet<String>> simulate(Switchboard sb) {
        Map<String, TreeSet<String>> tenants = new TreeMap<>();
        Simulator.Writer writer = new Simulator.Writer() {
            public void upsert(String tenant, String dataset, List<Map<String, Object>> rows) {
                Dataset d = sb.catalog().find(dataset).orElseThrow();
                List<JsonNode> nodes = new ArrayList<>();
                rows.forEach(r -> nodes.add(JSON.valueToTree(r)));
                var v = RowValidator.validate(d, tenant, nodes);
                assertThat(v.problems()).as(dataset).isEmpty();
                sb.store().ingest(d, tenant, v.rows());
                tenants.computeIfAbsent(dataset, k -> new TreeSet<>()).add(tenant);
            }

            public void delete(String tenant, String dataset, List<String> keys) {
                sb.store().delete(sb.catalog().find(dataset).orElseThrow(), tenant, keys);
            }
        };
        SplittableRandom random = new SplittableRandom(7);
        for (Simulator s : Simulators.all()) {
            for (int i = 0; i < 200; i++) {
                s.step(NOW.minusSeconds(600).plusSeconds(3L * i), dev.switchboard.packs.Traffic.uniform(s, 3, random), random, writer);
            }
        }
        return tenants;
    }

    /** Each domain's headline figure against SQL written by hand, not by the engine. */
    private void headlines(Switchboard sb, HttpClient http, String base, Map<String, TreeSet<String>> tenants) throws Exception {
        String dayAgo = Times.format(NOW.minus(Duration.ofHours(24)));
        record Headline(String dashboard, String widget, String dataset, String sql) {}
        List<Headline> headlines = List.of(
                new Headline("calls", "total_calls", "call_logs", "SELECT count(*) FROM call_logs WHERE user_id = ? AND started_at >= '" + dayAgo + "'"),
                new Headline("calls", "active_calls", "call_logs", "SELECT count(*) FROM call_logs WHERE user_id = ? AND status = 'active'"),
                new Headline("bookings", "total_leads", "leads", "SELECT count(*) FROM leads WHERE %t = ?"),
                new Headline("shop", "total_revenue", "orders", "SELECT coalesce(sum(total), 0) FROM orders WHERE %t = ? AND status IN ('paid', 'fulfilled')"),
                new Headline("shop", "active_repairs", "tickets", "SELECT count(*) FROM tickets WHERE %t = ? AND status IN ('open', 'diagnosing', 'awaiting_parts', 'in_repair')"),
                new Headline("campaigns", "queue_depth", "campaign_contacts", "SELECT count(*) FROM campaign_contacts c WHERE %t = ? AND status = 'queued'"
                        + " AND EXISTS (SELECT 1 FROM campaigns p WHERE p.account_id = c.account_id AND p.id = c.campaign_id AND p.status = 'running')"),
                new Headline("campaigns", "total_attempts", "call_attempts", "SELECT count(*) FROM call_attempts WHERE %t = ?"),
                new Headline("clinic", "pending_confirmation", "clinic_appointments", "SELECT count(*) FROM clinic_appointments WHERE %t = ? AND status = 'pending' AND %time >= '" + Times.format(NOW) + "'"));
        for (Headline h : headlines) {
            Dataset d = sb.catalog().find(h.dataset()).orElseThrow();
            String sql = h.sql().replace("%time", d.time()).replace("%t", d.tenant());
            for (String tenant : tenants.getOrDefault(h.dataset(), new TreeSet<>())) {
                double expected;
                try (var c = DriverManager.getConnection(jdbc); var ps = c.prepareStatement(sql)) {
                    ps.setString(1, tenant);
                    try (var rs = ps.executeQuery()) {
                        rs.next();
                        expected = rs.getDouble(1);
                    }
                }
                JsonNode w = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/dashboards/" + h.dashboard() + "/" + tenant)).build(),
                        HttpResponse.BodyHandlers.ofString()).body()).path("widgets").path(h.widget());
                assertThat(w.asDouble()).as(h.dashboard() + "/" + tenant + "/" + h.widget()).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6));
            }
        }
    }

}
