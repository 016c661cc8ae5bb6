package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The web dashboard in Debian's Chromium, headless, against a real server with simulated traffic. */
@Tag("browser")
class BrowserTest {
    @TempDir
    Path dir;

    @Test
    void dashboard_populatesAndMovesLive() throws Exception {
        try (Switchboard sb = Switchboard.start(new Config(true, "127.0.0.1", 0, dir, java.util.Optional.empty(), 20,
                java.util.Optional.empty(), java.util.Optional.empty(), false, "browser"), java.time.Clock.systemUTC());
             Playwright pw = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
             Browser browser = pw.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(Paths.get("/usr/bin/chromium"))
                     .setHeadless(true).setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking")))) {
            // The test's own waitForFunction probes evaluate strings, which the UI's CSP forbids;
            // the page that runs under the CSP is the one at the end.
            Page page = browser.newPage(new Browser.NewPageOptions().setViewportSize(1400, 1000).setBypassCSP(true));
            List<String> errors = new java.util.ArrayList<>();
            page.onPageError(errors::add);
            page.navigate("http://127.0.0.1:" + sb.port() + "/?dashboard=calls&tenant=demo-call-center");
            page.waitForFunction("document.body.dataset.connection === 'live'", null, new Page.WaitForFunctionOptions().setTimeout(20000));
            // Simulated calls arrive at the arrival model's rate: several a minute even at night (UTC).
            page.waitForFunction("(window.__switchboard?.events ?? 0) > 3", null, new Page.WaitForFunctionOptions().setTimeout(120_000));
            String total = page.locator("[data-widget=total_calls]").first().innerText();
            assertThat(total).containsPattern("\\d");

            // A call posted now shows up on the open page.
            String body = "{\"id\":\"browser-call\",\"status\":\"active\",\"agent_config_id\":\"agent-sales-ava\",\"phone_number\":\"+15550100\","
                    + "\"started_at\":\"" + Instant.now() + "\"}";
            var http = java.net.http.HttpClient.newHttpClient();
            http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + sb.port() + "/api/ingest/demo-call-center/call_logs"))
                    .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            page.waitForFunction("document.body.innerText.includes('+15550100')", null, new Page.WaitForFunctionOptions().setTimeout(10000));
            page.waitForTimeout(1500); // let the charts draw for the screenshot a person looks at
            Path shots = Paths.get("target", "screenshots");
            Files.createDirectories(shots);
            page.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve("calls.png")).setFullPage(true));
            for (String d : List.of("bookings", "clinic", "shop", "campaigns")) {
                String tenant = switch (d) {
                    case "bookings" -> "acme-roofing";
                    case "clinic" -> "bright-smile-dental";
                    case "shop" -> "fixit-downtown";
                    default -> "acme-outbound";
                };
                page.navigate("http://127.0.0.1:" + sb.port() + "/?dashboard=" + d + "&tenant=" + tenant);
                page.waitForFunction("document.body.dataset.connection === 'live' && (window.__switchboard?.events ?? 0) > 0", null,
                        new Page.WaitForFunctionOptions().setTimeout(20000));
                page.waitForTimeout(500);
                page.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve(d + ".png")).setFullPage(true));
            }
            assertThat(errors).isEmpty();

            // A proxy that kills WebSocket and the event stream: the page falls back to long-polling.
            Page blocked = browser.newPage(new Browser.NewPageOptions().setBypassCSP(true));
            blocked.routeWebSocket("**/api/events/**", ws -> ws.close());
            blocked.route("**/api/events/**", route -> route.abort());
            blocked.navigate("http://127.0.0.1:" + sb.port() + "/?dashboard=calls&tenant=demo-call-center");
            blocked.waitForFunction("document.body.dataset.connection === 'polling'", null, new Page.WaitForFunctionOptions().setTimeout(30000));
            String id = "polled-call";
            http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + sb.port() + "/api/ingest/demo-call-center/call_logs"))
                    .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                            body.replace("browser-call", id).replace("+15550100", "+15550199"))).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            blocked.waitForFunction("document.body.innerText.includes('+15550199')", null, new Page.WaitForFunctionOptions().setTimeout(10000));
            blocked.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve("calls-polling.png")));

            // Under its Content-Security-Policy (issue 12, finding 16) the page goes live and draws,
            // and the browser reports no violation. Locators only: no string evaluation.
            Page strict = browser.newPage(new Browser.NewPageOptions().setViewportSize(1400, 1000));
            List<String> violations = new java.util.ArrayList<>();
            strict.onConsoleMessage(m -> {
                if (m.text().contains("Content Security Policy")) {
                    violations.add(m.text());
                }
            });
            strict.onPageError(violations::add);
            strict.navigate("http://127.0.0.1:" + sb.port() + "/?dashboard=calls&tenant=demo-call-center");
            strict.locator("body[data-connection='live']").waitFor(new com.microsoft.playwright.Locator.WaitForOptions().setTimeout(20000));
            strict.getByText("+15550100").first().waitFor(new com.microsoft.playwright.Locator.WaitForOptions().setTimeout(20000));
            strict.locator("[data-widget=total_calls]").first().waitFor();
            assertThat(strict.locator("[data-widget=total_calls]").first().innerText()).containsPattern("\\d");
            strict.waitForTimeout(1000); // let charts draw, so a style or script they need would be reported
            assertThat(violations).isEmpty();
        }
    }
}
