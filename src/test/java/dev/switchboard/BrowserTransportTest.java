package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.Route;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's connection through /switchboard.js in Debian's Chromium (headless): WebSocket
 * first, SSE when WebSocket is blocked, long-polling when both are, an exact resume after the
 * server goes away and comes back, and after WebSocket cuts at random points while changes flow
 * (every change once, in order; the dashboard equal to SQL). No simulated traffic: every change
 * is the test's own.
 */
@Tag("browser")
class BrowserTransportTest {
    static final double WAIT_MS = 30_000;
    static Playwright playwright;
    static Browser browser;

    @TempDir
    Path dir;
    Page page;
    final List<String> pageErrors = new ArrayList<>();

    @BeforeAll
    static void launch() {
        playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(Paths.get("/usr/bin/chromium"))
                .setHeadless(true).setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking")));
    }

    @AfterAll
    static void quit() {
        browser.close();
        playwright.close();
    }

    @BeforeEach
    void open() {
        // the probes evaluate strings, which the UI's CSP forbids (BrowserTest runs the page under it)
        page = browser.newPage(new Browser.NewPageOptions().setBypassCSP(true));
        page.onPageError(pageErrors::add);
    }

    @AfterEach
    void close() {
        page.context().close();
        assertThat(pageErrors).isEmpty();
    }

    @Test
    void ui_goesLiveOverWebSocket_andShowsAPostedCall() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            page.navigate(server.base() + "/?dashboard=calls&tenant=t1");
            awaitConnection("live", "websocket");
            assertThat(page.locator("#connection").innerText()).contains("Live").contains("WebSocket");
            server.post("/api/ingest/t1/call_logs", call("ws-1", "+15550101"));
            await("document.body.innerText.includes('+15550101')");
            assertThat(changeKeys()).containsExactly("ws-1");
        }
    }

    @Test
    void websocketBlocked_fallsBackToSse_andGoesLive() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            page.routeWebSocket("**/api/events/**", ws -> ws.close()); // a proxy that refuses the upgrade
            page.navigate(server.base() + "/?dashboard=calls&tenant=t1");
            awaitConnection("live", "sse");
            server.post("/api/ingest/t1/call_logs", call("sse-1", "+15550102"));
            await("document.body.innerText.includes('+15550102')");
            assertThat(changeKeys()).containsExactly("sse-1");
        }
    }

    @Test
    void websocketAndSseBlocked_fallsBackToPolling_andShowsASqlite3Insert() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            page.routeWebSocket("**/api/events/**", ws -> ws.close());
            page.route("**/api/events/**", Route::abort);
            page.navigate(server.base() + "/?dashboard=calls&tenant=t1");
            awaitConnection("polling", "poll");
            assertThat(page.locator("#connection").innerText()).contains("Polling");
            sqlite3(server.db(), "INSERT INTO call_logs (id, user_id, status, phone_number, started_at) VALUES ('poll-1', 't1', 'active', "
                    + "'+15550103', '" + dev.switchboard.change.Times.format(Instant.now().minusSeconds(30)) + "');");
            await("document.body.innerText.includes('+15550103')");
            server.post("/api/ingest/t1/call_logs", call("poll-2", "+15550104"));
            await("document.body.innerText.includes('+15550104')");
            assertThat(changeKeys()).containsExactly("poll-1", "poll-2");
        }
    }

    /** On each transport (the better ones blocked as a proxy would), the server stops, others write, it starts again. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"websocket", "sse", "poll"})
    void serverGoesAway_clientReconnects_andResumesWithNoMissedOrDoubledChange(String transport) throws Exception {
        if (!transport.equals("websocket")) {
            page.routeWebSocket("**/api/events/**", ws -> ws.close());
        }
        if (transport.equals("poll")) {
            page.route("**/api/events/**", Route::abort);
        }
        String state = transport.equals("poll") ? "polling" : "live";
        Config config = new Config(true, "127.0.0.1", 0, dir, Optional.empty(), 0, Optional.empty(), Optional.empty(), false, "test");
        Switchboard first = Switchboard.start(config, Clock.systemUTC());
        int port = first.port();
        String base = "http://127.0.0.1:" + port;
        List<String> keys = new ArrayList<>();
        Switchboard second = null;
        boolean firstOpen = true;
        try (var client = new TestServer.Client(port)) {
            page.navigate(base + "/?dashboard=calls&tenant=t1");
            awaitConnection(state, transport);
            for (int i = 0; i < 5; i++) {
                keys.add("before-" + i);
                client.post("/api/ingest/t1/call_logs", call("before-" + i, "+1555020" + i));
            }
            awaitChanges(keys.size());

            first.close(); // every connection drops; the page reconnects with backoff
            firstOpen = false;
            awaitState("reconnecting', 'offline");
            // changes while no server runs: another writer on the database
            for (int i = 0; i < 3; i++) {
                keys.add("down-" + i);
                sqlite3(dir.resolve("switchboard.db"), "INSERT INTO call_logs (id, user_id, status, started_at) VALUES ('down-" + i
                        + "', 't1', 'active', '" + dev.switchboard.change.Times.format(Instant.now().minusSeconds(30)) + "');");
            }
            second = Switchboard.start(new Config(true, "127.0.0.1", port, dir, Optional.empty(), 0, Optional.empty(), Optional.empty(),
                    false, "test"), Clock.systemUTC());
            for (int i = 0; i < 5; i++) {
                keys.add("after-" + i);
                client.post("/api/ingest/t1/call_logs", call("after-" + i, "+1555030" + i));
            }
            awaitConnection(state, transport);
            awaitChanges(keys.size());
            assertThat(changeKeys()).containsExactlyElementsOf(keys);

            // the dashboard the page shows equals the server's, which equals SQL
            await("window.__switchboard.state.total_calls === " + keys.size());
            var snapshot = TestServer.JSON.readTree(client.http().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(base + "/api/dashboards/calls/t1")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body());
            assertThat(snapshot.path("widgets").path("total_calls").asInt()).isEqualTo(keys.size());
            assertThat(sqlite3(dir.resolve("switchboard.db"), "SELECT count(*) FROM call_logs WHERE user_id = 't1';").trim())
                    .isEqualTo(Integer.toString(keys.size()));
        } finally {
            if (second != null) {
                second.close();
            }
            if (firstOpen) {
                first.close();
            }
        }
    }

    @Test
    void webSocketCutAtRandomPointsWhileChangesFlow_everyChangeOnceInOrder_dashboardEqualsSql() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            // a proxy in the page's path that the test can cut: each connection passes through it
            List<com.microsoft.playwright.WebSocketRoute[]> routes = new ArrayList<>();
            page.routeWebSocket("**/api/events/**", ws -> routes.add(new com.microsoft.playwright.WebSocketRoute[] {ws, ws.connectToServer()}));
            page.navigate(server.base() + "/?dashboard=calls&tenant=t1");
            awaitConnection("live", "websocket");

            List<String> keys = java.util.Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.atomic.AtomicReference<Throwable> writerFailed = new java.util.concurrent.atomic.AtomicReference<>();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 45; i++) {
                        // every third change ends the call before it: updates as well as inserts
                        String id = i % 3 == 2 ? "cut-" + (i - 1) : "cut-" + i;
                        String body = i % 3 == 2 ? "{\"id\":\"" + id + "\",\"status\":\"ended\",\"outcome\":\"completed\",\"duration\":" + i + "}"
                                : call(id, "+1555040" + String.format("%02d", i));
                        var r = server.post("/api/ingest/t1/call_logs", body);
                        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                        keys.add(id);
                        Thread.sleep(30); // changes keep flowing across the cuts
                    }
                } catch (Throwable t) {
                    writerFailed.set(t);
                }
            });
            java.util.Random random = new java.util.Random();
            int cut = 0;
            for (int i = 0; i < 4 && writer.isAlive(); i++) {
                page.waitForTimeout(200 + random.nextInt(900));
                var open = routes.get(routes.size() - 1);
                open[1].close(); // the server side, then the page's
                open[0].close();
                cut++;
                page.waitForFunction("document.body.dataset.connection === 'live'", null, new Page.WaitForFunctionOptions().setTimeout(WAIT_MS));
            }
            writer.join(60_000);

            assertThat(writerFailed.get()).isNull();
            assertThat(cut).isPositive();
            assertThat(routes.size()).as("one connection per cut, and the first").isGreaterThan(cut);
            awaitChanges(keys.size());
            assertThat(changeKeys()).containsExactlyElementsOf(keys);

            String total = sqlite3(server.db(), "SELECT count(*) FROM call_logs WHERE user_id = 't1';").trim();
            String active = sqlite3(server.db(), "SELECT count(*) FROM call_logs WHERE user_id = 't1' AND status = 'active';").trim();
            await("window.__switchboard.state.total_calls === " + total + " && window.__switchboard.state.active_calls === " + active);
        }
    }

    /** The module as a library, on a page of the server's origin: subscribe and unsubscribe on WebSocket (in place) and SSE (reopening). */
    @Test
    void clientModule_subscribeAndUnsubscribe_onWebSocketAndSse() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            int n = 0;
            for (String transport : List.of("websocket", "sse")) {
                page.navigate(server.base() + "/api/health");
                page.evaluate("async (transport) => {"
                        + " const { connect } = await import('/switchboard.js');"
                        + " const events = [];"
                        + " const sb = connect({ tenant: 't1', datasets: ['call_logs'], transports: [transport], token: () => Promise.resolve('') });"
                        + " for (const type of ['snapshot', 'delta', 'change', 'reset', 'error'])"
                        + "   sb.on(type, (data, meta) => events.push({ type, data, id: meta?.id, transport: meta?.transport }));"
                        + " window.__t = { sb, events }; }", transport);
                await("window.__t.sb.state === 'live' && window.__t.sb.transport === '" + transport + "'");
                String first = transport + "-a";
                server.post("/api/ingest/t1/call_logs", call(first, "+15550500"));
                n++;
                await("window.__t.events.some(e => e.type === 'change' && e.data.key === '" + first + "' && e.transport === '" + transport + "')");

                page.evaluate("window.__t.sb.subscribe({ dashboards: ['calls'], params: { hours: 24 } })");
                // on WebSocket a snapshot; on SSE the reopened stream resumes, so it may be a delta with every widget
                await("window.__t.events.some(e => (e.type === 'snapshot' || e.type === 'delta') && e.data.dashboard === 'calls'"
                        + " && e.data.widgets.total_calls === " + n + ")");
                if (transport.equals("websocket")) {
                    await("window.__t.events.some(e => e.type === 'snapshot' && e.data.dashboard === 'calls')");
                }
                page.evaluate("window.__t.sb.unsubscribe({ datasets: ['call_logs'] })");
                if (transport.equals("sse")) {
                    await("window.__t.sb.state === 'live'"); // reopened with the new watch
                }
                String second = transport + "-b";
                server.post("/api/ingest/t1/call_logs", call(second, "+15550501"));
                n++;
                await("window.__t.events.some(e => (e.type === 'delta' || e.type === 'snapshot') && e.data.widgets?.total_calls === " + n + ")");
                assertThat((Boolean) page.evaluate("window.__t.events.some(e => e.type === 'change' && e.data.key === '" + second + "')"))
                        .as("no row changes after unsubscribing from the dataset").isFalse();
                assertThat((Boolean) page.evaluate("window.__t.events.filter(e => e.type === 'change').length === 1")).isTrue();
                page.evaluate("window.__t.sb.close()");
                assertThat(page.evaluate("window.__t.sb.state")).isEqualTo("offline");
            }
        }
    }

    private static String call(String id, String phone) {
        return "{\"id\":\"" + id + "\",\"status\":\"active\",\"agent_config_id\":\"agent-1\",\"phone_number\":\"" + phone
                + "\",\"started_at\":\"" + Instant.now().minusSeconds(30) + "\"}";
    }

    private void awaitConnection(String state, String transport) {
        await("document.body.dataset.connection === '" + state + "' && document.body.dataset.transport === '" + transport + "'");
    }

    /** Waits for any of the given states (quoted list). */
    private void awaitState(String states) {
        await("['" + states + "'].includes(document.body.dataset.connection)");
    }

    private void awaitChanges(int n) {
        await("window.__switchboard.changes.length >= " + n);
    }

    private void await(String expression) {
        page.waitForFunction(expression, null, new Page.WaitForFunctionOptions().setTimeout(WAIT_MS));
    }

    @SuppressWarnings("unchecked")
    private List<String> changeKeys() {
        List<Map<String, Object>> changes = (List<Map<String, Object>>) page.evaluate("window.__switchboard.changes");
        return changes.stream().map(c -> String.valueOf(c.get("key"))).toList();
    }

    private static String sqlite3(Path db, String sql) throws Exception {
        Process p = new ProcessBuilder("sqlite3", "-cmd", ".timeout 10000", db.toString(), sql).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
