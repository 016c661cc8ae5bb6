package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.pg.Sse;
import dev.switchboard.socketio.NodeClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A graceful stop ({@link Switchboard#shutdown(Duration)}, what SIGTERM runs) on one node: every
 * transport is told to reconnect elsewhere with the position of the last event it was written
 * (SSE {@code reconnect} with {@code id:} and {@code retry:}; WebSocket a {@code reconnect} frame,
 * then close 1012; Socket.IO a {@code reconnect} event, then its transport closes without a
 * DISCONNECT, so the client reconnects by itself; a pending long-poll is answered at once), new
 * connections and requests are refused, and an ingest already in progress finishes and is written.
 */
class GracefulShutdownTest {
    static final String TENANT = "t1";
    static final String ROW = "{\"id\":\"%s\",\"status\":\"active\",\"started_at\":\"2026-11-23T12:00:00.000Z\"}";

    @TempDir
    Path dir;

    @Test
    void shutdown_everyTransportToldToReconnectWithItsPosition_ingestInProgressFinishes_newWorkRefused() throws Exception {
        TestServer server = new TestServer(dir);
        int port = server.sb.port();
        try {
            BlockingQueue<Sse.Event> sse = new LinkedBlockingQueue<>();
            Sse stream = new Sse(port, "/api/events/" + TENANT + "?datasets=call_logs&dashboards=calls", null, sse::add);
            WsClient ws = new WsClient(port, "/api/events/" + TENANT + "?datasets=call_logs");
            CompletableFuture<JsonNode> sio = CompletableFuture.supplyAsync(() -> {
                try {
                    return NodeClient.run("recorder.mjs", List.of("--url", server.base(), "--auth",
                            "{\"tenant\":\"" + TENANT + "\",\"datasets\":[\"call_logs\"]}", "--transports", "websocket",
                            "--until-disconnect", "--timeout-ms", "60000"), 90);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, GracefulShutdownTest::thread);
            // gate: the three streams are registered (an SSE, a WebSocket and a Socket.IO session)
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> TestServer.json(server.get("/api/health")).path("sse_sessions").asInt() == 3);
            String last = null;
            for (int i = 0; i < 5; i++) {
                last = TestServer.json(server.post("/api/ingest/" + TENANT + "/call_logs", ROW.formatted("before-" + i)))
                        .path("position").asString();
            }
            String position = last;
            List<Sse.Event> sseSeen = new ArrayList<>();
            awaitEvent(sse, sseSeen, e -> "change".equals(e.type()) && position.equals(e.id()));
            ws.await(n -> WsClient.event("change").test(n) && position.equals(n.path("id").asString()), Duration.ofSeconds(10));
            CompletableFuture<JsonNode> poll = CompletableFuture.supplyAsync(() -> {
                try {
                    return TestServer.json(server.get("/api/poll/" + TENANT + "?datasets=call_logs&wait=60&since=" + position));
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, GracefulShutdownTest::thread);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                assertThat(poll).as("the poll waits for a change after " + position).isNotDone();
                return server.sb.http().sessions().pendingPolls() == 1;
            });

            // an ingest in progress: headers sent, the server is reading the body (it asked for it: 100 Continue)
            String inflight = ROW.formatted("inflight-1");
            Socket ingest = new Socket("127.0.0.1", port);
            OutputStream ingestOut = ingest.getOutputStream();
            ingestOut.write(("POST /api/ingest/" + TENANT + "/call_logs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Expect: 100-continue\r\nContent-Length: " + inflight.length() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            ingestOut.flush();
            BufferedReader ingestIn = new BufferedReader(new InputStreamReader(ingest.getInputStream(), StandardCharsets.UTF_8));
            assertThat(ingestIn.readLine()).isEqualTo("HTTP/1.1 100 Continue");
            ingestIn.readLine();
            // a keep-alive connection that has already served a request
            Socket keepAlive = new Socket("127.0.0.1", port);
            assertThat(request(keepAlive, "/api/dashboards")).startsWith("HTTP/1.1 200");

            CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> server.sb.shutdown(Duration.ofSeconds(30)),
                    GracefulShutdownTest::thread);

            Sse.Event reconnect = awaitEvent(sse, sseSeen, e -> "reconnect".equals(e.type()));
            assertThat(reconnect.id()).as("SSE: id is the last position written").isEqualTo(position);
            assertThat(reconnect.retry()).as("SSE: retry asks for a short, spread wait").matches("[0-9]+");
            assertThat(Long.parseLong(reconnect.retry())).isBetween(100L, 1100L);
            assertThat(TestServer.JSON.readTree(reconnect.data()).path("position").asString()).isEqualTo(position);
            JsonNode wsReconnect = ws.await(WsClient.event("reconnect"), Duration.ofSeconds(10));
            assertThat(wsReconnect.path("id").asString()).as("WebSocket: id is the last position written").isEqualTo(position);
            assertThat(ws.closed.get(10, TimeUnit.SECONDS)).isEqualTo("1012 service restart");
            JsonNode answered = poll.get(10, TimeUnit.SECONDS); // at once, not after its 60 s wait
            assertThat(answered.path("position").asString()).isEqualTo(position);
            assertThat(answered.path("reconnect").asBoolean()).isTrue();
            assertThat(answered.path("events").size()).isZero();

            // new connections are refused; a request on a connection kept alive gets 503 and the connection closes
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> refused(port));
            String refusal = request(keepAlive, "/api/dashboards");
            assertThat(refusal).startsWith("HTTP/1.1 503").containsIgnoringCase("Connection: close").contains("shutting down");
            // the ingest in progress is let finish, and written
            ingestOut.write(inflight.getBytes(StandardCharsets.UTF_8));
            ingestOut.flush();
            assertThat(ingestIn.readLine()).isEqualTo("HTTP/1.1 200 OK");
            ingest.close();
            keepAlive.close();

            stopped.get(30, TimeUnit.SECONDS);
            assertThat(stream.open()).as("the SSE stream ended").isFalse();
            stream.close();
            ws.close();
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + server.db());
                 ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM call_logs WHERE id = 'inflight-1'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("the ingest in progress was written").isEqualTo(1);
            }

            // Socket.IO: the reconnect event carries the last offset; the transport closed without a DISCONNECT,
            // so socket.io-client tries to reconnect by itself (and would recover from that offset on another node)
            JsonNode out = sio.get(90, TimeUnit.SECONDS);
            List<String> events = new ArrayList<>();
            String lastOffset = null;
            for (JsonNode e : out.path("events")) {
                events.add(e.path("event").asString());
                if (e.path("event").asString().equals("reconnect")) {
                    assertThat(e.path("offset").asString()).as("Socket.IO: the reconnect event's offset").isEqualTo(lastOffset);
                }
                lastOffset = e.path("offset").asString(null);
            }
            assertThat(events).as(out.toString()).contains("change").endsWith("reconnect");
            assertThat(lastOffset).isEqualTo(position);
            assertThat(out.path("disconnects").get(0).path("reason").asString()).isEqualTo("transport close");
        } finally {
            server.close();
        }
    }

    /** A thread of its own (the common pool has one thread on a 2-core machine). */
    private static void thread(Runnable r) {
        Thread.ofPlatform().daemon().start(r);
    }

    private static Sse.Event awaitEvent(BlockingQueue<Sse.Event> queue, List<Sse.Event> seen, java.util.function.Predicate<Sse.Event> p)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Sse.Event e = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no matching SSE event within 10 s; seen " + seen);
            }
            seen.add(e);
            if (p.test(e)) {
                return e;
            }
        }
    }

    /** One GET on {@code socket} (kept alive); the response's status line and headers, and its body. */
    private static String request(Socket socket, String path) throws IOException {
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        var in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static boolean refused(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
