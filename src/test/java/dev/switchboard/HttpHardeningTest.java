package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12, finding 16: response headers, JSON for Jetty's own errors, methods of health and streams. */
class HttpHardeningTest {
    @TempDir
    Path dir;
    TestServer server;
    String viewer;

    @BeforeEach
    void start() throws Exception {
        server = new TestServer(dir, false, Optional.of(AuthTest.SECRET));
        viewer = AuthTest.token("a", "u1", null, null, Instant.now().plus(Duration.ofHours(1)));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Sends raw bytes and returns the whole answer (the server closes after an error). */
    static String raw(int port, String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void errorsJettyRaisesItself_areJson() throws Exception {
        int port = server.sb.port();
        String[][] cases = {
            {"400", "GET /api/health HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n"},
            {"414", "GET /api/health?" + "q".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"},
            {"431", "GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n"},
            {"505", "GET /api/health HTTP/9.9\r\nHost: x\r\n\r\n"},
        };
        for (String[] c : cases) {
            String answer = raw(port, c[1]);
            assertThat(answer).as(c[0]).startsWith("HTTP/1.1 " + c[0]);
            String head = answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase();
            assertThat(head).as(c[0]).contains("content-type: application/json").contains("x-content-type-options: nosniff");
            String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
            assertThat(TestServer.JSON.readTree(body).path("status").asInt()).as(c[0] + ": " + body).isEqualTo(Integer.parseInt(c[0]));
        }
    }

    @Test
    void unauthorized_saysHowToAuthenticate_andBearerIsCaseInsensitive() throws Exception {
        var none = server.get("/api/dashboards/calls/a");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        var bad = server.get("/api/dashboards/calls/a", "Authorization", "Bearer x.y.z");
        assertThat(bad.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).contains("invalid_token"));
        assertThat(server.get("/api/dashboards/calls/a", "Authorization", "bearer " + viewer).statusCode()).isEqualTo(200);
        assertThat(server.get("/api/dashboards/calls/a", "Authorization", "BEARER " + viewer).statusCode()).isEqualTo(200);
    }

    @Test
    void authenticatedAnswers_areNotStored_andNothingIsSniffed() throws Exception {
        var snap = server.get("/api/dashboards/calls/a", "Authorization", "Bearer " + viewer);
        assertThat(snap.headers().firstValue("Cache-Control")).hasValue("private, no-store");
        assertThat(snap.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        var forbidden = server.get("/api/dashboards/calls/b", "Authorization", "Bearer " + viewer);
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(forbidden.headers().firstValue("Cache-Control")).hasValue("private, no-store");
        assertThat(server.get("/api/health").headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }

    @Test
    void ui_forbidsFraming_andForeignScripts() throws Exception {
        var page = server.get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v ->
                assertThat(v).contains("frame-ancestors 'none'").contains("script-src 'self'"));
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }

    /** Issue 12, finding 18. */
    @Test
    void metrics_needAnAdminTokenInServe() throws Exception {
        assertThat(server.get("/metrics").statusCode()).isEqualTo(401);
        assertThat(server.get("/metrics", "Authorization", "Bearer " + viewer).statusCode()).isEqualTo(403);
        String admin = AuthTest.token("*", "ops", null, "admin", Instant.now().plus(Duration.ofHours(1)));
        var ok = server.get("/metrics", "Authorization", "Bearer " + admin);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("switchboard_views");
    }

    @Test
    void health_answersGetAndHeadOnly() throws Exception {
        assertThat(server.get("/api/health").statusCode()).isEqualTo(200);
        assertThat(send("HEAD", "/api/health").statusCode()).isEqualTo(200);
        assertThat(server.post("/api/health", "{}").statusCode()).isEqualTo(405);
        assertThat(send("DELETE", "/api/health").statusCode()).isEqualTo(405);
    }

    @Test
    void headOnAStream_opensNoSession() throws Exception {
        var head = server.http.send(HttpRequest.newBuilder(URI.create(server.base() + "/api/events/a?dashboards=calls"))
                .header("Authorization", "Bearer " + viewer).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        assertThat(TestServer.json(server.get("/api/health")).path("sse_sessions").asInt()).isZero();
        assertThat(send("HEAD", "/api/events/b?dashboards=calls").statusCode()).isEqualTo(401);
    }

    HttpResponse<Void> send(String method, String path) throws Exception {
        return server.http.send(HttpRequest.newBuilder(URI.create(server.base() + path)).method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
    }
}
