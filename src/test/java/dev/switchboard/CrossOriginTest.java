package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A team's own page on another origin uses the API from the browser: with the origin allowed
 * (--allow-origin), Chromium's EventSource gets the snapshot and fetch can post a call; a page of
 * an origin that is not allowed can do neither, and what it tried to post is not readable.
 */
@Tag("browser")
class CrossOriginTest {
    @TempDir
    Path dir;

    @Test
    void allowedOriginStreamsAndPosts_otherOriginIsBlockedByTheBrowser() throws Exception {
        HttpServer allowed = page();
        HttpServer other = page();
        String allowedOrigin = "http://127.0.0.1:" + allowed.getAddress().getPort();
        try (Switchboard sb = Switchboard.start(new Config(true, "127.0.0.1", 0, dir, Optional.empty(), 0, Optional.empty(),
                     Optional.empty(), false, "cors", List.of(allowedOrigin)), Clock.systemUTC());
             Playwright pw = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
             Browser browser = pw.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(Paths.get("/usr/bin/chromium"))
                     .setHeadless(true).setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking")))) {
            String api = "http://127.0.0.1:" + sb.port();

            Page ok = browser.newPage();
            ok.navigate(allowedOrigin + "/?api=" + api + "&id=cors-ok");
            ok.waitForFunction("window.result && window.result.snapshot && window.result.posted", null,
                    new Page.WaitForFunctionOptions().setTimeout(20000));
            assertThat(ok.evaluate("window.result.snapshot")).isEqualTo("calls");
            assertThat(ok.evaluate("window.result.posted")).isEqualTo("1");

            Page blocked = browser.newPage();
            blocked.navigate("http://127.0.0.1:" + other.getAddress().getPort() + "/?api=" + api + "&id=cors-blocked");
            blocked.waitForFunction("window.result && window.result.streamError && window.result.postError", null,
                    new Page.WaitForFunctionOptions().setTimeout(20000));
            assertThat(blocked.evaluate("window.result.snapshot")).isNull();
            // the blocked page's POST never got past the preflight: only the allowed page's call exists
            assertThat(TestServer.json(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api + "/api/dashboards/calls/t1")).build(),
                    HttpResponse.BodyHandlers.ofString())).path("widgets").path("total_calls").asLong()).isEqualTo(1);

            // The preflight answers for the allowed origin only.
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> pre = http.send(HttpRequest.newBuilder(URI.create(api + "/api/ingest/t1/call_logs"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", allowedOrigin)
                    .header("Access-Control-Request-Method", "POST").header("Access-Control-Request-Headers", "content-type,authorization")
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).hasValue(allowedOrigin);
            assertThat(pre.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("POST");
            HttpResponse<String> foreign = http.send(HttpRequest.newBuilder(URI.create(api + "/api/dashboards/calls/t1"))
                    .header("Origin", "http://evil.example").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        } finally {
            allowed.stop(0);
            other.stop(0);
        }
    }

    @Test
    void originWithAPath_isRefusedAtStart() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Config(true, "127.0.0.1", 0, dir, Optional.empty(), 0,
                        Optional.empty(), Optional.empty(), false, "cors", List.of("https://app.example.com/dashboard")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scheme://host[:port] with no path");
    }

    /** A page that opens a stream to ?api= and posts one call, recording what the browser let it see. */
    private static HttpServer page() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] html = """
                <!doctype html><html><body><script>
                const q = new URLSearchParams(location.search), api = q.get('api'), id = q.get('id');
                window.result = {snapshot: null, posted: null, streamError: false, postError: false};
                const es = new EventSource(api + '/api/events/t1?dashboards=calls');
                es.addEventListener('snapshot', e => { window.result.snapshot = JSON.parse(e.data).dashboard; });
                es.onerror = () => { window.result.streamError = true; es.close(); };
                fetch(api + '/api/ingest/t1/call_logs', {method: 'POST', headers: {'Content-Type': 'application/json'},
                    body: JSON.stringify({id, status: 'active', started_at: new Date().toISOString()})})
                  .then(r => r.json()).then(j => { window.result.posted = String(j.count); })
                  .catch(() => { window.result.postError = true; });
                </script></body></html>
                """.getBytes(StandardCharsets.UTF_8);
        server.createContext("/", ex -> {
            ex.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            ex.sendResponseHeaders(200, html.length);
            ex.getResponseBody().write(html);
            ex.close();
        });
        server.start();
        return server;
    }
}
