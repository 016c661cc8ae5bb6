package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.dataset.DatasetCatalog;
import dev.switchboard.live.Definitions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Issue 12, finding 4: every distinct {@code ?sub=} or parameter value is a live view of its own,
 * so one principal's views are capped (not only its tenant's), the parameter space is bounded
 * where it is declared, and health counts the views.
 */
class ViewLimitsTest {
    @TempDir
    Path dir;

    @Test
    void viewsOfOnePrincipal_areCapped_otherPrincipalsOfTheTenantStillOpenViews() throws Exception {
        try (TestServer server = new TestServer(dir, false, Optional.of(AuthTest.SECRET))) {
            server.sb.engine().maxViewsPerPrincipal(3);
            String u1 = AuthTest.bearer(AuthTest.token("a", "u1", null, null, Instant.now().plus(Duration.ofHours(1))));
            for (int h = 1; h <= 3; h++) {
                assertThat(server.get("/api/dashboards/calls/a?hours=" + h, "Authorization", u1).statusCode()).isEqualTo(200);
            }
            var refused = server.get("/api/dashboards/calls/a?hours=4", "Authorization", u1);
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(TestServer.json(refused).path("error").asString()).contains("subject 'u1' of tenant 'a'").contains("3 live views");
            // another subject value is another view too
            assertThat(server.get("/api/dashboards/calls/a?scope=agent&sub=x", "Authorization", u1).statusCode()).isEqualTo(429);
            // views it already has still open, and other principals of the tenant have their own budget
            assertThat(server.get("/api/dashboards/calls/a?hours=2", "Authorization", u1).statusCode()).isEqualTo(200);
            String u2 = AuthTest.bearer(AuthTest.token("a", "u2", null, null, Instant.now().plus(Duration.ofHours(1))));
            assertThat(server.get("/api/dashboards/calls/a?hours=4", "Authorization", u2).statusCode()).isEqualTo(200);
            // a stream asking for a new view is refused the same way, before it opens
            var stream = server.get("/api/events/a?dashboards=calls&hours=5", "Authorization", u1);
            assertThat(stream.statusCode()).isEqualTo(429);
            assertThat(TestServer.json(stream).path("error").asString()).contains("subject 'u1' of tenant 'a'");
            JsonNode health = TestServer.json(server.get("/api/health"));
            assertThat(health.path("views").asInt()).isEqualTo(4);
            assertThat(health.has("delivery_lag_ms")).isTrue();
        }
    }

    @Test
    void paramsOutsideTheirDeclaredRange_areRefused_andEveryParamMustDeclareABoundedRange() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            var r = server.get("/api/dashboards/calls/t1?hours=100000");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(TestServer.json(r).path("error").asString()).contains("hours must be between 1 and 744");
        }
        DatasetCatalog catalog = DatasetCatalog.of(DatasetCatalog.parse(
                Files.readString(Path.of("src/main/resources/packs/calls/datasets.yaml")), "calls"));
        String widgets = "widgets:\n  n: { stat: count, dataset: call_logs }\n";
        assertThatThrownBy(() -> Definitions.load(Map.of("open.yaml", "name: open\nparams:\n  days: { default: 1 }\n" + widgets), catalog))
                .hasMessageContaining("param days needs whole-number min and max");
        assertThatThrownBy(() -> Definitions.load(Map.of("wide.yaml",
                "name: wide\nparams:\n  n: { default: 1, min: 0, max: 1000000 }\n" + widgets), catalog))
                .hasMessageContaining("at most 10000 values");
    }
}
