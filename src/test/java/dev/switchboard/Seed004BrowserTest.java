package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 004's client pattern in headless Chromium: a page with a plain {@code WebSocket} to
 * {@code VITE_WS_URL} (l.149) that sends the seed's subscribe message (l.94) and keeps what
 * arrives, as the seed's WebSocketService and hook do (l.46-50, 118-131). A call attempt posted
 * through ingest, and one inserted by {@code sqlite3} as another writer of the database would,
 * both arrive as {@code call_event} and {@code metrics_update}. The seed's troubleshooting list
 * (l.224-236) in a browser: the page is of another origin than the server (l.229, CORS), its
 * connection indicator says connected (l.233), and the console has no errors (l.228).
 */
@Tag("browser")
class Seed004BrowserTest {
    @TempDir
    Path dir;

    private static final String PAGE = """
            <!doctype html><html><body><p id="status">connecting</p><script>
            window.state = { isConnected: false, messages: [] };
            const ws = new WebSocket('%s');
            ws.onopen = () => {
              state.isConnected = true;
              document.getElementById('status').textContent = 'connected';
              ws.send(JSON.stringify({ action: 'subscribe', campaignId: 'c-two' }));
            };
            ws.onmessage = (event) => {
              const message = JSON.parse(event.data); // { type, data, timestamp }
              state.messages.push(message);
            };
            ws.onclose = () => { state.isConnected = false; };
            </script></body></html>
            """;

    @Test
    void aPlainWebSocketPage_subscribes_andSeesIngestAndSqlite3ChangesArrive() throws Exception {
        try (TestServer server = new TestServer(dir);
             Playwright pw = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
             Browser browser = pw.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(Paths.get("/usr/bin/chromium"))
                     .setHeadless(true).setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking")))) {
            Seed004Data.write(server);
            Page page = browser.newPage();
            List<String> errors = new java.util.ArrayList<>();
            page.onPageError(errors::add);
            page.setContent(PAGE.formatted("ws://127.0.0.1:" + server.sb.port() + "/ws?account=" + Seed004Data.ACCOUNT));
            page.waitForFunction("state.isConnected === true", null, new Page.WaitForFunctionOptions().setTimeout(15000));
            page.waitForFunction("state.messages.some(m => m.type === 'metrics_update' && m.data.campaignId === 'c-two')", null,
                    new Page.WaitForFunctionOptions().setTimeout(15000));

            Seed004Data.post(server, "call_attempts", List.of(Seed004Data.attempt("browser-1", "c-two", "dialing", null, Duration.ZERO)));
            page.waitForFunction("state.messages.some(m => m.type === 'call_event' && m.data.callId === 'browser-1')", null,
                    new Page.WaitForFunctionOptions().setTimeout(15000));
            page.waitForFunction("state.messages.some(m => m.type === 'metrics_update' && m.data.campaignId === 'c-two' && m.data.activeCalls === 2)",
                    null, new Page.WaitForFunctionOptions().setTimeout(15000));

            String sql = "INSERT INTO call_attempts (id, account_id, campaign_id, status, started_at) VALUES ('browser-2', '"
                    + Seed004Data.ACCOUNT + "', 'c-two', 'ringing', '" + dev.switchboard.change.Times.format(Instant.now()) + "');";
            Process p = new ProcessBuilder("sqlite3", "-cmd", ".timeout 10000", server.db().toString(), sql).redirectErrorStream(true).start();
            assertThat(p.waitFor()).as(new String(p.getInputStream().readAllBytes())).isZero();
            page.waitForFunction("state.messages.some(m => m.type === 'call_event' && m.data.callId === 'browser-2' && m.data.event === 'ringing')",
                    null, new Page.WaitForFunctionOptions().setTimeout(15000));
            page.waitForFunction("state.messages.some(m => m.type === 'metrics_update' && m.data.campaignId === 'c-two' && m.data.activeCalls === 3)",
                    null, new Page.WaitForFunctionOptions().setTimeout(15000));
            // subscribed to c-two only: nothing about c-run arrived after the subscription
            assertThat((Boolean) page.evaluate("state.messages.filter(m => m.type === 'call_event').every(m => m.data.campaignId === 'c-two')"))
                    .isTrue();
            assertThat(page.locator("#status").innerText()).isEqualTo("connected");
            assertThat(errors).isEmpty();
        }
    }
}
