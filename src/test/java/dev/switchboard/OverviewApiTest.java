package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Over a real port with tokens: the overview lists only the tenants a token names (tenants never
 * see each other), a snapshot says whether its tenant has rows, and the CSV export's row filter.
 */
class OverviewApiTest {
    @TempDir
    Path dir;
    TestServer server;

    @BeforeEach
    void start() {
        server = new TestServer(dir, false, Optional.of(AuthTest.SECRET));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static String token(String tenant) throws Exception {
        return AuthTest.bearer(AuthTest.token(tenant, "", null, null, Instant.now().plus(1, ChronoUnit.HOURS)));
    }

    JsonNode json(String path, String auth) throws Exception {
        var r = server.get(path, "Authorization", auth);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TestServer.JSON.readTree(r.body());
    }

    @Test
    void overview_listsOnlyTheTokensTenant_withHeadlines() throws Exception {
        JsonNode body = json("/api/overview", token("acme"));
        assertThat(body.path("tenants")).hasSize(1);
        JsonNode acme = body.path("tenants").get(0);
        assertThat(acme.path("tenant").asString()).isEqualTo("acme");
        List<String> names = acme.path("dashboards").valueStream().map(d -> d.path("name").asString()).toList();
        assertThat(names).contains("calls", "shop", "clinic", "bookings", "campaigns");
        JsonNode calls = acme.path("dashboards").valueStream().filter(d -> d.path("name").asString().equals("calls")).findFirst().orElseThrow();
        assertThat(calls.path("headline").asString()).isEqualTo("total_calls");
        assertThat(calls.path("display").path("unit").asString()).isEqualTo("calls");
        assertThat(body.toString()).doesNotContain("globex");

        assertThat(json("/api/overview", token("globex")).toString()).doesNotContain("acme");
        assertThat(server.get("/api/overview").statusCode()).isEqualTo(401);
        var bad = server.get("/api/overview", "Authorization", "Bearer not-a-token");
        assertThat(bad.statusCode()).isEqualTo(401);
        assertThat(bad.body()).contains("\"error\"");
    }

    @Test
    void snapshot_saysWhetherTheTenantHasRows() throws Exception {
        assertThat(json("/api/dashboards/calls/acme", token("acme")).path("known").asBoolean()).isFalse();
        var r = server.post("/api/ingest/acme/call_logs", ChromiumPage.call("c1", "+15550700"), "Authorization",
                AuthTest.bearer(AuthTest.sign(AuthTest.claims("acme", "w", null, "admin").expirationTime(java.util.Date.from(Instant.now().plusSeconds(3600))))));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json("/api/dashboards/calls/acme", token("acme")).path("known").asBoolean()).isTrue();
        // rows of another dashboard's datasets do not make the tenant known here
        assertThat(json("/api/dashboards/shop/acme", token("acme")).path("known").asBoolean()).isFalse();
    }

    @Test
    void export_filtersRowsByEveryWord_andRefusesAnOverlongFilter() throws Exception {
        String admin = AuthTest.bearer(AuthTest.sign(AuthTest.claims("acme", "w", null, "admin").expirationTime(java.util.Date.from(Instant.now().plusSeconds(3600)))));
        String now = Instant.now().toString();
        var r = server.post("/api/ingest/acme/call_logs", "[{\"id\":\"a\",\"status\":\"active\",\"agent_config_id\":\"Ava Sales\",\"started_at\":\"" + now
                + "\"},{\"id\":\"b\",\"status\":\"active\",\"agent_config_id\":\"Leo Support\",\"started_at\":\"" + now
                + "\"},{\"id\":\"c\",\"status\":\"ended\",\"agent_config_id\":\"Ava Support\",\"started_at\":\"" + now + "\"}]", "Authorization", admin);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> all = server.get("/api/export/calls/acme/recent_calls", "Authorization", token("acme")).body().lines().toList();
        assertThat(all).hasSize(4);
        List<String> ava = server.get("/api/export/calls/acme/recent_calls?q=ava", "Authorization", token("acme")).body().lines().toList();
        assertThat(ava).hasSize(3);
        assertThat(ava.subList(1, 3)).allSatisfy(l -> assertThat(l).contains("Ava"));
        List<String> both = server.get("/api/export/calls/acme/recent_calls?q=support%20AVA", "Authorization", token("acme")).body().lines().toList();
        assertThat(both).hasSize(2);
        assertThat(both.get(1)).contains("Ava Support");
        assertThat(server.get("/api/export/calls/acme/recent_calls?q=nobody", "Authorization", token("acme")).body()).isEmpty();
        var longQ = server.get("/api/export/calls/acme/recent_calls?q=" + "x".repeat(201), "Authorization", token("acme"));
        assertThat(longQ.statusCode()).isEqualTo(400);
        assertThat(longQ.body()).contains("at most 200 characters");
    }
}
