package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.Route;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's connection through /switchboard.js in Debian's Chromium (headless): WebSocket
 * first, SSE when WebSocket is blocked, long-polling when both are, an exact resume after the
 * server goes away and comes back (on every transport), and after WebSocket cuts at random points
 * while changes flow (every change once, in order; the dashboard equal to SQL). No simulated
 * traffic: every change is the test's own.
 */
@Tag("browser")
class BrowserTransportTest extends ChromiumPage {
    @Test
    void ui_goesLiveOverWebSocket_andShowsAPostedCall() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            page.navigate(server.base() + "/?dashboard=calls&tenant=t1");
            awaitConnection("live", "websocket");
            // a tenant without rows yet says so (the connection is up: its transport shows) until its first row arrives
            assertThat(page.locator("#connection").innerText()).contains("WebSocket");
            server.post("/api/ingest/t1/call_logs", call("ws-1", "+15550101"));
            await("document.body.innerText.includes('+15550101')");
            assertThat(changeKeys()).containsExactly("ws-1");
            await("document.querySelector('#connection').innerText.includes('Live')");
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
                    for (int i = 0; i < 36; i++) {
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
            for (int i = 0; i < 3 && writer.isAlive(); i++) {
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
}
