package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Production mode: every route demands a token, and a token for one tenant opens nothing of another. */
class AuthTest {
    static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";
    @TempDir
    Path dir;
    TestServer server;

    @BeforeEach
    void start() {
        server = new TestServer(dir, false, Optional.of(SECRET));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static String token(String tenant, String sub, String scope, String role, Instant exp) throws Exception {
        return sign(claims(tenant, sub, scope, role).expirationTime(Date.from(exp)));
    }

    static JWTClaimsSet.Builder claims(String tenant, String sub, String scope, String role) {
        var claims = new JWTClaimsSet.Builder().claim("tenant", tenant).subject(sub);
        if (scope != null) {
            claims.claim("scope", scope);
        }
        if (role != null) {
            claims.claim("role", role);
        }
        return claims;
    }

    static String sign(JWTClaimsSet.Builder claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        jwt.sign(new MACSigner(SECRET.getBytes()));
        return jwt.serialize();
    }

    static String bearer(String t) {
        return "Bearer " + t;
    }

    @Test
    void serve_withoutSecret_refusesToStart() {
        assertThatThrownBy(() -> new Config(false, "127.0.0.1", 0, dir, Optional.empty(), 0, Optional.empty(), Optional.empty(), false, "n"))
                .hasMessageContaining("SWITCHBOARD_JWT_SECRET");
    }

    @Test
    void tokenForTenantA_opensNothingOfTenantB() throws Exception {
        Instant later = Instant.now().plus(Duration.ofHours(1));
        String writerA = token("a", "svc", null, "writer", later);
        String viewerA = token("a", "u1", null, null, later);
        String call = SseWireTest.call("a1", "active", null, 0);
        assertThat(server.post("/api/ingest/a/call_logs", call).statusCode()).isEqualTo(401);
        assertThat(server.post("/api/ingest/a/call_logs", call, "Authorization", bearer(viewerA)).statusCode()).isEqualTo(403);
        assertThat(server.post("/api/ingest/a/call_logs", call, "Authorization", bearer(writerA)).statusCode()).isEqualTo(200);
        assertThat(server.post("/api/ingest/b/call_logs", call.replace("a1", "b1"), "Authorization", bearer(writerA)).statusCode()).isEqualTo(403);
        for (String path : List.of("/api/dashboards/calls/b", "/api/events/b?dashboards=calls", "/api/events/b?datasets=call_logs")) {
            assertThat(server.get(path, "Authorization", bearer(viewerA)).statusCode()).as(path).isEqualTo(403);
            assertThat(server.get(path).statusCode()).as(path).isEqualTo(401);
        }
        assertThat(server.get("/api/dashboards/calls/a", "Authorization", bearer(viewerA)).statusCode()).isEqualTo(200);
        assertThat(server.get("/api/dashboards/calls/a", "Authorization", bearer(token("a", "u1", null, null, Instant.now().minusSeconds(5)))).statusCode()).isEqualTo(401);
        assertThat(server.get("/api/dashboards/calls/a", "Authorization", "Bearer not.a.token").statusCode()).isEqualTo(401);
        assertThat(server.get("/api/demo").statusCode()).isEqualTo(404);
    }

    int status(String token) throws Exception {
        return server.get("/api/dashboards/calls/a", "Authorization", bearer(token)).statusCode();
    }

    /** Issue 12, finding 10. */
    @Test
    void tokenTimes_areEnforced_withASmallSkew_andABoundedLifetime() throws Exception {
        Instant now = Instant.now();
        Date inAnHour = Date.from(now.plus(Duration.ofHours(1)));
        assertThat(status(sign(claims("a", "u", null, null).expirationTime(inAnHour)))).isEqualTo(200);
        assertThat(status(sign(claims("a", "u", null, null)))).as("no exp").isEqualTo(401);
        assertThat(status(sign(claims("a", "u", null, null).expirationTime(inAnHour).notBeforeTime(Date.from(now.plusSeconds(600))))))
                .as("future nbf").isEqualTo(401);
        assertThat(status(sign(claims("a", "u", null, null).expirationTime(inAnHour).issueTime(Date.from(now.plusSeconds(600))))))
                .as("future iat").isEqualTo(401);
        assertThat(status(sign(claims("a", "u", null, null).expirationTime(inAnHour).notBeforeTime(Date.from(now.plusSeconds(20)))
                .issueTime(Date.from(now.plusSeconds(20)))))).as("within the clock skew").isEqualTo(200);
        assertThat(status(sign(claims("a", "u", null, null).expirationTime(Date.from(now.plus(Duration.ofDays(30)))))))
                .as("lives longer than the maximum").isEqualTo(401);
        assertThat(status(sign(claims("a", "u", null, null).issueTime(Date.from(now.minus(Duration.ofHours(23))))
                .expirationTime(Date.from(now.plus(Duration.ofHours(2))))))).as("iat to exp is 25 h").isEqualTo(401);
        var why = server.get("/api/dashboards/calls/a", "Authorization", bearer(sign(claims("a", "u", null, null))));
        assertThat(why.body()).contains("exp");
    }

    /** Issue 12, finding 11: "*" is the admin grant, never by accident. */
    @Test
    void allTenants_onlyWithTheAdminRole() throws Exception {
        Instant later = Instant.now().plus(Duration.ofHours(1));
        assertThat(server.get("/api/dashboards/calls/b", "Authorization", bearer(token("*", "ops", null, null, later))).statusCode())
                .isEqualTo(401);
        assertThat(server.post("/api/ingest/b/call_logs", SseWireTest.call("b1", "active", null, 0), "Authorization",
                bearer(token("*", "ops", null, "writer", later))).statusCode()).isEqualTo(401);
        String admin = token("*", "ops", null, "admin", later);
        assertThat(server.get("/api/dashboards/calls/b", "Authorization", bearer(admin)).statusCode()).isEqualTo(200);
        assertThat(server.post("/api/ingest/b/call_logs", SseWireTest.call("b1", "active", null, 0), "Authorization", bearer(admin))
                .statusCode()).isEqualTo(200);
        assertThat(server.get("/api/dashboards/calls/b", "Authorization", bearer(token("*", "ops", "agent", "admin", later))).statusCode())
                .as("an admin has no scope").isEqualTo(401);
    }

    /** Issue 9 (seed 001's admin): role admin naming a tenant administers that tenant only, and is no operator. */
    @Test
    void tenantAdmin_readsAndWritesItsTenant_butNoOtherTenantNorOperatorRoutes() throws Exception {
        Instant later = Instant.now().plus(Duration.ofHours(1));
        String adminB = bearer(token("b", "clinic-admin", null, "admin", later));
        assertThat(server.get("/api/dashboards/calls/b", "Authorization", adminB).statusCode()).isEqualTo(200);
        assertThat(server.post("/api/ingest/b/call_logs", SseWireTest.call("b2", "active", null, 0), "Authorization", adminB)
                .statusCode()).isEqualTo(200);
        assertThat(server.get("/api/dashboards/calls/c", "Authorization", adminB).statusCode()).isEqualTo(403);
        assertThat(server.get("/metrics", "Authorization", adminB).statusCode()).isEqualTo(403);
        assertThat(server.get("/api/keys/b", "Authorization", adminB).statusCode()).isEqualTo(403);
        assertThat(server.get("/api/dashboards/calls/b", "Authorization", bearer(token("b", "x", "agent", "admin", later))).statusCode())
                .as("an admin sees its whole tenant: a scope contradicts it").isEqualTo(401);
        assertThat(server.get("/api/dashboards/calls/b", "Authorization",
                bearer(sign(claims("*", "x", null, "admin").claim("tenants", List.of("*", "b")).expirationTime(java.util.Date.from(later)))))
                .statusCode()).as("the operator grant names no other tenant").isEqualTo(401);
    }

    /** Issue 12, finding 12. */
    @Test
    void scopedWriter_writesAndDeletesOnlyItsOwnRows() throws Exception {
        Instant later = Instant.now().plus(Duration.ofHours(1));
        String svc = bearer(token("a", "svc", null, "writer", later));
        String agent1 = bearer(token("a", "agent-1", "agent", "writer", later));
        assertThat(server.post("/api/ingest/a/call_logs", SseWireTest.call("theirs", "active", null, 0).replace("agent-1", "agent-2"),
                "Authorization", svc).statusCode()).isEqualTo(200);

        assertThat(server.post("/api/ingest/a/call_logs", SseWireTest.call("mine", "active", null, 0), "Authorization", agent1).statusCode())
                .isEqualTo(200);
        var other = server.post("/api/ingest/a/call_logs", SseWireTest.call("x", "active", null, 0).replace("agent-1", "agent-2"),
                "Authorization", agent1);
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(other.body()).contains("agent_config_id").contains("nothing was written");
        assertThat(server.post("/api/ingest/a/call_logs", "{\"id\":\"mine\",\"status\":\"ended\"}", "Authorization", agent1)
                .statusCode()).as("a row must name its subject").isEqualTo(403);
        // Taking over another agent's row by naming oneself is refused too.
        var takeover = server.post("/api/ingest/a/call_logs", SseWireTest.call("theirs", "ended", "completed", 5), "Authorization", agent1);
        assertThat(takeover.statusCode()).isEqualTo(403);
        assertThat(takeover.body()).contains("another agent");
        assertThat(delete("/api/ingest/a/call_logs/theirs", agent1)).isEqualTo(403);
        assertThat(server.post("/api/ingest/a/tickets", "{\"id\":\"k\",\"status\":\"open\",\"created_at\":\"2026-01-01T00:00:00Z\"}",
                "Authorization", agent1).statusCode()).as("a dataset the scope does not cover").isEqualTo(403);
        assertThat(delete("/api/ingest/a/call_logs/mine", agent1)).isEqualTo(200);

        var full = TestServer.json(server.get("/api/dashboards/calls/a", "Authorization", bearer(token("a", "boss", null, null, later))));
        assertThat(full.path("widgets").path("total_calls").asLong()).isEqualTo(1);
        assertThat(full.path("widgets").toString()).contains("agent-2").doesNotContain("\"agent-1\"");
    }

    int delete(String path, String auth) throws Exception {
        return server.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.base() + path)).header("Authorization", auth)
                .DELETE().build(), java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void scopedToken_seesOnlyItsSlice_andNoRawChanges() throws Exception {
        Instant later = Instant.now().plus(Duration.ofHours(1));
        String writer = token("a", "svc", null, "writer", later);
        server.post("/api/ingest/a/call_logs", SseWireTest.call("x1", "active", null, 0).replace("agent-1", "agent-7"), "Authorization", bearer(writer));
        server.post("/api/ingest/a/call_logs", SseWireTest.call("x2", "active", null, 0).replace("agent-1", "agent-8"), "Authorization", bearer(writer));
        server.post("/api/ingest/a/call_logs", SseWireTest.call("x3", "active", null, 0).replace("agent-1", "agent-8"), "Authorization", bearer(writer));
        String agent7 = token("a", "agent-7", "agent", null, later);
        // The query cannot widen the token's scope.
        var r = server.get("/api/dashboards/calls/a?scope=&sub=agent-8", "Authorization", bearer(agent7));
        assertThat(r.statusCode()).isEqualTo(200);
        var w = TestServer.json(r).path("widgets");
        assertThat(w.path("active_calls").asLong()).isEqualTo(1);
        assertThat(w.toString()).contains("x1").doesNotContain("x2").doesNotContain("x3");
        // its rows of call_logs stream as its slice (Seed001ClinicSlicesTest); a dataset its scope does not cover is refused
        assertThat(server.get("/api/events/a?datasets=leads", "Authorization", bearer(agent7)).statusCode()).isEqualTo(403);
        var full = TestServer.json(server.get("/api/dashboards/calls/a", "Authorization", bearer(token("a", "boss", null, null, later))));
        assertThat(full.path("widgets").path("active_calls").asLong()).isEqualTo(3);
    }
}
