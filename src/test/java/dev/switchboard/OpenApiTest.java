package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code /api/openapi.json} describes the routes the server really has: every documented path
 * and method reaches a handler (no "no such endpoint" 404, no 405), and every route the API
 * handler dispatches on is documented.
 */
class OpenApiTest {
    /** Values for the path parameters: a dashboard, tenant and dataset the demo packs ship. */
    private static final Map<String, String> EXAMPLES = Map.of("{dashboard}", "calls", "{tenant}", "demo-call-center",
            "{dataset}", "call_logs", "{key}", "openapi-test-missing-row", "{id}", "openapi-test-missing-key",
            "{clientKey}", "d2d-xpress-tom", "{widget}", "agents", "{channel}", "appointments:chatbot:bot-1",
            "{campaignId}", "openapi-test-no-such-campaign");

    @TempDir
    Path dir;

    @Test
    void everyDocumentedPathAndMethod_reachesAHandler() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            HttpResponse<String> doc = server.get("/api/openapi.json");
            assertThat(doc.statusCode()).isEqualTo(200);
            assertThat(doc.headers().firstValue("Content-Type")).hasValue("application/json");
            JsonNode root = TestServer.json(doc);
            assertThat(root.path("openapi").asString()).startsWith("3.");
            int checked = 0;
            for (Map.Entry<String, JsonNode> path : root.path("paths").properties()) {
                String concrete = path.getKey();
                for (Map.Entry<String, String> e : EXAMPLES.entrySet()) {
                    concrete = concrete.replace(e.getKey(), e.getValue());
                }
                assertThat(concrete).as("every path parameter has an example").doesNotContain("{");
                for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                    String method = op.getKey().toUpperCase(java.util.Locale.ROOT);
                    String query = concrete.startsWith("/api/events/") ? "?dashboards=calls" : concrete.startsWith("/api/poll/") ? "?dashboards=calls&wait=0" : "";
                    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + concrete + query))
                            .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json");
                    b.method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("[]") : HttpRequest.BodyPublishers.noBody());
                    // a stream answers with its headers and goes on: read only the status line and headers
                    HttpResponse<java.io.InputStream> r = server.http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
                    String body;
                    try (var in = r.body()) {
                        boolean stream = concrete.startsWith("/api/events/") || concrete.startsWith("/api/realtime/channels/");
                        body = stream ? "" : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                    }
                    assertThat(r.statusCode()).as(method + " " + path.getKey()).isNotEqualTo(405);
                    assertThat(body).as(method + " " + path.getKey()).doesNotContain("no such endpoint").doesNotContain("not found: ");
                    assertThat(op.getValue().path("responses").has(Integer.toString(r.statusCode())))
                            .as(method + " " + path.getKey() + " answered " + r.statusCode() + ", which the document lists").isTrue();
                    checked++;
                }
            }
            assertThat(checked).isGreaterThanOrEqualTo(8);
        }
    }

    @Test
    void everyRouteTheRouterHas_isDocumented_withItsMethod() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            java.util.List<String> routes = server.sb.routes();
            assertThat(routes).contains("GET /api/health", "GET /api/events/{tenant}", "POST /api/ingest/{tenant}/{dataset}", "GET /metrics",
                    "GET /api/dashboard/metrics", "GET /api/demo-dashboard/{clientKey}");
            JsonNode root = TestServer.JSON.readTree(getClass().getResourceAsStream("/api/openapi.json"));
            for (String route : routes) {
                String method = route.substring(0, route.indexOf(' ')).toLowerCase(java.util.Locale.ROOT);
                String path = route.substring(route.indexOf(' ') + 1);
                assertThat(root.path("paths").path(path).has(method)).as(route + " is in the OpenAPI document").isTrue();
            }
        }
    }

    @Test
    void everyReferenceInTheDocument_resolves() throws Exception {
        JsonNode root = TestServer.JSON.readTree(getClass().getResourceAsStream("/api/openapi.json"));
        java.util.List<String> refs = new java.util.ArrayList<>();
        collectRefs(root, refs);
        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            assertThat(ref).startsWith("#/");
            assertThat(root.at(ref.substring(1)).isMissingNode()).as(ref).isFalse();
        }
    }

    private static void collectRefs(JsonNode node, java.util.List<String> out) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getKey().equals("$ref")) {
                    out.add(e.getValue().asString());
                } else {
                    collectRefs(e.getValue(), out);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collectRefs(n, out));
        }
    }
}
