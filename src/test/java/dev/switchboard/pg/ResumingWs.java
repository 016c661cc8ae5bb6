package dev.switchboard.pg;

import dev.switchboard.JettyWs;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A WebSocket subscriber (Jetty's client, {@link JettyWs}) that behaves as an application using the native
 * WebSocket stream should: it remembers the id of the last event it received and, when it
 * connects again (to the same node or another), resumes from it ({@code ?lastEventId=}). It
 * records every {@code change} with the connection it came on, every {@code reconnect} notice,
 * each close the server sent, and every sign of a lost stream ({@code reset}) as a problem.
 */
final class ResumingWs implements AutoCloseable {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A {@code reconnect} notice: its id, the id received just before it, and the close code that followed (0 until it came). */
    record Reconnect(String id, String previousId, int connection) {}

    private final String path;
    private final List<ResumingSubscriber.Received> changes = new ArrayList<>();
    private final List<Reconnect> reconnects = new ArrayList<>();
    private final List<String> closes = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private String lastId;
    private int connections;
    private Session ws;

    ResumingWs(String path) {
        this.path = path;
    }

    /** Opens a new connection to {@code port}, resuming from the last event received if any. */
    void connect(int port) throws Exception {
        int n;
        String from;
        synchronized (this) {
            n = ++connections;
            from = lastId;
        }
        String url = "ws://127.0.0.1:" + port + path + (from == null ? "" : "&lastEventId=" + URLEncoder.encode(from, StandardCharsets.UTF_8));
        Session socket = JettyWs.client().connect(new JettyWs.Listener(text -> onMessage(JSON.readTree(text), n), (status, reason) -> {
            synchronized (ResumingWs.this) {
                closes.add(status + " " + reason);
            }
        }, error -> { }), URI.create(url), new ClientUpgradeRequest()).get(10, TimeUnit.SECONDS);
        synchronized (this) {
            ws = socket;
        }
    }

    private synchronized void onMessage(JsonNode m, int connection) {
        String type = m.path("event").asString("");
        String id = m.path("id").asString(null);
        switch (type) {
            case "change" -> {
                JsonNode d = m.path("data");
                changes.add(new ResumingSubscriber.Received(id, seq(id), d.path("op").asString(), d.path("key").asString(),
                        d.path("tenant").asString(), System.nanoTime(), connection));
            }
            case "reconnect" -> reconnects.add(new Reconnect(id, lastId, connection));
            case "reset", "error" -> problems.add("connection " + connection + ": " + m);
            default -> {
                // snapshot, delta, heartbeat
            }
        }
        if (id != null) {
            lastId = id;
        }
    }

    private static long seq(String id) {
        return Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
    }

    synchronized List<ResumingSubscriber.Received> changes() {
        return List.copyOf(changes);
    }

    synchronized int changeCount() {
        return changes.size();
    }

    synchronized List<Reconnect> reconnects() {
        return List.copyOf(reconnects);
    }

    /** Close frames the server sent, as "code reason". */
    synchronized List<String> closes() {
        return List.copyOf(closes);
    }

    synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    @Override
    public synchronized void close() {
        if (ws != null) {
            ws.disconnect();
        }
    }
}
