package dev.switchboard;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/** A real WebSocket client (the JDK's) collecting the server's JSON messages. */
final class WsClient implements AutoCloseable {
    private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    private final List<JsonNode> all = new ArrayList<>();
    /** The close code and reason the server sent, once it closed. */
    final java.util.concurrent.CompletableFuture<String> closed = new java.util.concurrent.CompletableFuture<>();
    final WebSocket ws;

    WsClient(int port, String path, String... headers) throws Exception {
        var b = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        ws = b.buildAsync(URI.create("ws://127.0.0.1:" + port + path), new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    JsonNode n = TestServer.JSON.readTree(text.toString());
                    synchronized (all) {
                        all.add(n);
                    }
                    messages.add(n);
                    text.setLength(0);
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
                closed.complete(statusCode + " " + reason);
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
    }

    void send(String json) {
        ws.sendText(json, true).join();
    }

    /** The next message matching {@code p}, skipping others. */
    JsonNode await(Predicate<JsonNode> p, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            JsonNode n = left > 0 ? messages.poll(left, TimeUnit.NANOSECONDS) : null;
            if (n == null) {
                throw new AssertionError("no matching message within " + timeout);
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

    @Override
    public void close() {
        ws.abort();
    }
}
