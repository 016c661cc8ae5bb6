package dev.switchboard;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import tools.jackson.databind.JsonNode;

/** A real WebSocket client ({@link JettyWs}) collecting the server's JSON messages. */
final class WsClient implements AutoCloseable {
    private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    private final List<JsonNode> all = new ArrayList<>();
    /** The close code and reason the server sent, once it closed ("failed: ..." when the connection failed). */
    final CompletableFuture<String> closed = new CompletableFuture<>();
    /** What ended the connection when it failed (no close frame): set before {@link #closed} completes. */
    private volatile Throwable failed;
    final Session ws;

    WsClient(int port, String path, String... headers) throws Exception {
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        for (int i = 0; i < headers.length; i += 2) {
            request.setHeader(headers[i], headers[i + 1]);
        }
        CompletableFuture<Session> connecting = JettyWs.client().connect(new JettyWs.Listener(text -> {
            JsonNode n = TestServer.JSON.readTree(text);
            synchronized (all) {
                all.add(n);
            }
            messages.add(n);
        }, (status, reason) -> closed.complete(status + " " + reason), error -> {
            failed = error;
            closed.complete("failed: " + error);
        }), URI.create("ws://127.0.0.1:" + port + path), request);
        try {
            ws = connecting.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.eclipse.jetty.websocket.api.exceptions.UpgradeException u && u.getResponseStatusCode() > 0) {
                throw new java.io.IOException("the upgrade was refused with status code " + u.getResponseStatusCode(), e);
            }
            throw e;
        }
    }

    void send(String json) {
        Callback.Completable.with(sent -> ws.sendText(json, sent)).join();
    }

    /** The next message matching {@code p}, skipping others. */
    JsonNode await(Predicate<JsonNode> p, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            JsonNode n = left > 0 ? messages.poll(left, TimeUnit.NANOSECONDS) : null;
            if (n == null) {
                throw new AssertionError("no matching message within " + timeout + (closed.isDone() ? "; the connection ended: " + closed.getNow("") : ""),
                        failed);
            }
            if (p.test(n)) {
                return n;
            }
        }
    }

    static Predicate<JsonNode> event(String type) {
        return n -> n.path("event").asString("").equals(type);
    }

    /** Every message received so far. */
    List<JsonNode> all() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    /**
     * Closes with a close handshake (1000 and {@code reason}); returns once the connection has
     * ended (the server's close frame, or the server closing the connection first: Jetty may then
     * fail the send of our close frame although the server had read it).
     */
    void closeNormally(String reason) throws Exception {
        ws.close(1000, reason, Callback.NOOP);
        closed.get(10, TimeUnit.SECONDS);
    }

    /** Drops the connection without a close handshake, as a client that went away would. */
    @Override
    public void close() {
        ws.disconnect();
    }
}
