package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** /switchboard.js as a library, imported by a page of the server's origin in Debian's Chromium (headless). */
@Tag("browser")
class SwitchboardJsTest extends ChromiumPage {
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

    /**
     * The interleaving the test above can meet by chance, forced: the client's unsubscribe frame is
     * held on its way to the server while a change of that dataset is posted, so the server still
     * sends it. The client passes it over (its position advancing past it) instead of emitting a
     * change of a dataset it no longer watches; once the frame is let through, the server applies it.
     */
    @Test
    void clientModule_changeInFlightAtUnsubscribe_isNotEmitted() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            java.util.concurrent.atomic.AtomicReference<com.microsoft.playwright.WebSocketRoute> toServer = new java.util.concurrent.atomic.AtomicReference<>();
            List<String> held = new java.util.ArrayList<>();
            List<String> fromServer = new java.util.ArrayList<>();
            page.routeWebSocket("**/api/events/**", ws -> {
                com.microsoft.playwright.WebSocketRoute upstream = ws.connectToServer();
                toServer.set(upstream);
                ws.onMessage(frame -> {
                    if (frame.text().contains("\"unsubscribe\"")) {
                        held.add(frame.text());
                    } else {
                        upstream.send(frame.text());
                    }
                });
                upstream.onMessage(frame -> {
                    fromServer.add(frame.text());
                    ws.send(frame.text());
                });
            });
            page.navigate(server.base() + "/api/health");
            page.evaluate("async () => { const { connect } = await import('/switchboard.js');"
                    + " const changes = []; const sb = connect({ tenant: 't1', datasets: ['call_logs'], transports: ['websocket'] });"
                    + " sb.on('change', (d, meta) => changes.push(d.key)); window.__t = { sb, changes }; }");
            await("window.__t.sb.state === 'live'");
            server.post("/api/ingest/t1/call_logs", call("flight-a", "+15550600"));
            await("window.__t.changes.includes('flight-a')");

            page.evaluate("window.__t.sb.unsubscribe({ datasets: ['call_logs'] })");
            page.waitForCondition(() -> held.size() == 1);
            server.post("/api/ingest/t1/call_logs", call("flight-b", "+15550601"));
            page.waitForCondition(() -> fromServer.stream().anyMatch(f -> f.contains("\"flight-b\"")));
            String sent = fromServer.stream().filter(f -> f.contains("\"flight-b\"")).findFirst().orElseThrow();
            String id = new tools.jackson.databind.json.JsonMapper().readTree(sent).path("id").asString();
            assertThat(id).as("the change's position").isNotBlank();
            await("window.__t.sb.position === '" + id + "'"); // the client has read it
            assertThat(page.evaluate("window.__t.changes.join(',')")).as("changes emitted").isEqualTo("flight-a");

            // let the frame through: the server applies it (that side is WsWireTest's) and the stream goes on
            toServer.get().send(held.getFirst());
            toServer.get().send("{\"action\":\"ping\"}");
            int after = fromServer.indexOf(sent) + 1;
            page.waitForCondition(() -> fromServer.subList(after, fromServer.size()).stream().anyMatch(f -> f.contains("\"pong\"")));
            assertThat(page.evaluate("window.__t.sb.state")).isEqualTo("live");
        }
    }

    /**
     * A quiet stream (datasets only: the ping's answer is its one message) for longer than the
     * client's open timeout (8 s) and shorter than a heartbeat (15 s) stays on one connection
     * (regression: the first message armed the open timeout again, and the client reopened).
     */
    @Test
    void clientModule_quietWebSocket_staysOnOneConnection() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
            page.routeWebSocket("**/api/events/**", ws -> {
                connections.incrementAndGet();
                ws.connectToServer();
            });
            page.navigate(server.base() + "/api/health");
            page.evaluate("async () => { const { connect } = await import('/switchboard.js');"
                    + " const states = []; const sb = connect({ tenant: 't1', datasets: ['call_logs'] });"
                    + " sb.on('state', (s) => states.push(s)); window.__t = { sb, states }; }");
            await("window.__t.sb.state === 'live' && window.__t.sb.transport === 'websocket'");
            page.waitForTimeout(9_500);
            assertThat(page.evaluate("window.__t.states.join(',')")).isEqualTo("live");
            assertThat(connections.get()).isEqualTo(1);
            // void: evaluate would call the function on() returns, which removes the listener
            page.evaluate("void window.__t.sb.on('change', (d) => { window.__t.got = d.key; })");
            server.post("/api/ingest/t1/call_logs", call("quiet-1", "+15550102"));
            await("window.__t.got === 'quiet-1'");
        }
    }
}
