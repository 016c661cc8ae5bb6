package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.Route;
import dev.switchboard.socketio.NodeClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seeds' own browser client patterns in headless Chromium, each on a small page served from the
 * server's origin: EventSource on {@code /api/events/:clientKey} (seed 000, l.29-35) and
 * socket.io-client with {@code auth: {user_id}} (seed 002, l.209-216). Each sees a row written by
 * the sqlite3 CLI, another program, arrive.
 */
@Tag("browser")
class SeedClientsBrowserTest {
    @TempDir
    Path dir;

    private static final String SEED_000_PAGE = """
            <!doctype html><html><body><ul id="events"></ul><script>
            // seed 000: "EventSource first" on /api/events/:clientKey
            const events = new EventSource('/api/events/d2d-xpress-tom');
            const show = (type) => (e) => {
              const li = document.createElement('li');
              li.textContent = type + ' ' + e.data;
              document.getElementById('events').appendChild(li);
            };
            events.addEventListener('snapshot', show('snapshot'));
            events.addEventListener('change', show('change'));
            </script></body></html>""";

    private static final String SEED_002_PAGE = """
            <!doctype html><html><body><ul id="events"></ul><script src="/seed-test/socket.io.min.js"></script><script>
            // seed 002, l.209-216: io(url, {auth: {user_id}})
            const socket = io(location.origin, { auth: { user_id: 'test_user' } });
            const show = (name) => (data) => {
              const li = document.createElement('li');
              li.textContent = name + ' ' + JSON.stringify(data);
              document.getElementById('events').appendChild(li);
            };
            socket.on('connected', show('connected'));
            socket.on('initial_state', show('initial_state'));
            socket.on('call_event', show('call_event'));
            socket.emit('subscribe', { stream: 'metrics' });
            </script></body></html>""";

    private static void sqlite(TestServer server, String sql) throws Exception {
        Process p = new ProcessBuilder("sqlite3", server.db().toString(), sql).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
    }

    private static void serve(Page page, String url, String type, byte[] body) {
        page.route(url, (Route r) -> r.fulfill(new Route.FulfillOptions().setStatus(200).setContentType(type).setBodyBytes(body)));
    }

    @Test
    void seed000EventSource_andSeed002SocketIoClient_seeSqlite3Writes() throws Exception {
        Path socketIoBundle = NodeClient.installed().resolve("node_modules/socket.io-client/dist/socket.io.min.js");
        try (TestServer server = new TestServer(dir);
             Playwright pw = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
             Browser browser = pw.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(Paths.get("/usr/bin/chromium"))
                     .setHeadless(true).setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking")))) {
            String now = Instant.now().toString();
            assertThat(server.post("/api/ingest/d2d-xpress-tom/leads", "{\"id\":\"lead-1\",\"status\":\"new\",\"created_at\":\"" + now + "\"}")
                    .statusCode()).isEqualTo(200);

            Page seed000 = browser.newPage();
            serve(seed000, server.base() + "/seed-test/000.html", "text/html", SEED_000_PAGE.getBytes(StandardCharsets.UTF_8));
            seed000.navigate(server.base() + "/seed-test/000.html");
            seed000.waitForFunction("document.body.innerText.includes('snapshot')", null, new Page.WaitForFunctionOptions().setTimeout(20000));
            sqlite(server, "INSERT INTO leads (id, client_key, status, created_at) VALUES ('lead-from-sqlite3', 'd2d-xpress-tom', 'new', "
                    + "strftime('%Y-%m-%dT%H:%M:%fZ','now'))");
            seed000.waitForFunction("document.body.innerText.includes('lead-from-sqlite3')", null, new Page.WaitForFunctionOptions().setTimeout(20000));

            Page seed002 = browser.newPage();
            serve(seed002, server.base() + "/seed-test/002.html", "text/html", SEED_002_PAGE.getBytes(StandardCharsets.UTF_8));
            serve(seed002, server.base() + "/seed-test/socket.io.min.js", "text/javascript", Files.readAllBytes(socketIoBundle));
            seed002.navigate(server.base() + "/seed-test/002.html");
            seed002.waitForFunction("document.body.innerText.includes('initial_state')", null, new Page.WaitForFunctionOptions().setTimeout(20000));
            assertThat(seed002.innerText("body")).contains("connected {\"user_id\":\"test_user\"");
            sqlite(server, "INSERT INTO call_logs (id, user_id, status, started_at, phone_number) VALUES ('call-from-sqlite3', 'test_user', "
                    + "'active', strftime('%Y-%m-%dT%H:%M:%fZ','now'), '+15550177')");
            seed002.waitForFunction("document.body.innerText.includes('call-from-sqlite3')", null, new Page.WaitForFunctionOptions().setTimeout(20000));
            assertThat(seed002.innerText("body")).contains("\"type\":\"call_started\"").contains("+15550177");
        }
    }
}
