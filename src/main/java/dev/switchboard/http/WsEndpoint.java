package dev.switchboard.http;

import dev.switchboard.auth.Principal;
import dev.switchboard.change.Position;
import dev.switchboard.hub.RowScope;
import dev.switchboard.live.ViewKey;
import dev.switchboard.push.Streams;
import dev.switchboard.push.WsSession;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.websocket.api.Session;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * One native WebSocket stream: the same events, positions and resume as SSE, plus client
 * messages that change what it watches without reconnecting:
 * <pre>
 * {"action": "subscribe",   "dashboards": [...], "datasets": [...], "params": {...}}
 * {"action": "unsubscribe", "dashboards": [...], "datasets": [...]}
 * {"action": "resume",      "since": "&lt;position&gt;"}     (the counterpart of Last-Event-ID)
 * {"action": "ping"}                                   answered by {"event": "pong"}
 * </pre>
 * A message that is malformed, unknown, or asks for something the token may not read gets
 * {@code {"event": "error", "data": {"error": "...", "status": N}}}; nothing changes and the
 * connection stays up. Public only because Jetty calls endpoint methods through a public lookup.
 */
public final class WsEndpoint implements Session.Listener.AutoDemanding {
    /** Largest client message accepted. */
    static final int MAX_MESSAGE = 64 * 1024;

    private final Api api;
    private final Streams streams;
    private final Sessions sessions;
    private final String tenant;
    private final Principal who;
    /** Whom the views this stream opens count against. */
    private final String owner;
    private final Optional<Position> resume;
    private Api.Watch watch;
    private WsSession session;

    WsEndpoint(Api api, Streams streams, Sessions sessions, String tenant, Principal who, String owner, Api.Watch watch,
               Optional<Position> resume) {
        this.owner = owner;
        this.api = api;
        this.streams = streams;
        this.sessions = sessions;
        this.tenant = tenant;
        this.who = who;
        this.watch = watch;
        this.resume = resume;
    }

    /** A resume position as a client sent it (blank: none; unparseable: an unknown one, which resets). */
    static Optional<Position> position(String text) {
        return text == null || text.isBlank() ? Optional.empty()
                : Optional.of(Position.parse(text.trim()).orElse(new Position("unknown", 0)));
    }

    @Override
    public void onWebSocketOpen(Session ws) {
        ws.setMaxTextMessageSize(MAX_MESSAGE);
        session = new WsSession(ws, watch.subscription(streams, tenant).by(owner), streams.queue());
        sessions.add(session, tenant, who, "websocket", String.join(" ", session.subscription().topics()));
        streams.expireAt(session, who.expiresAt());
        session.open(resume);
    }

    @Override
    public synchronized void onWebSocketText(String text) {
        JsonNode msg;
        try {
            msg = Api.JSON.readTree(text);
        } catch (JacksonException e) {
            error(400, "malformed JSON: " + e.getOriginalMessage());
            return;
        }
        if (msg == null || !msg.isObject() || !msg.path("action").isString()) {
            error(400, "send a JSON object with an \"action\": subscribe, unsubscribe, resume or ping");
            return;
        }
        try {
            switch (msg.path("action").asString()) {
                case "ping" -> session.send("pong", Optional.empty());
                case "subscribe" -> change(msg, true);
                case "unsubscribe" -> change(msg, false);
                case "resume" -> {
                    String since = msg.path("since").asString("");
                    if (since.isBlank()) {
                        throw new ApiException(400, "resume needs \"since\": the id of the last event you applied");
                    }
                    session.watch(watch.subscription(streams, tenant).by(owner), position(since), watch.subscription(streams, tenant).by(owner));
                }
                default -> throw new ApiException(400, "unknown action '" + msg.path("action").asString()
                        + "'; use subscribe, unsubscribe, resume or ping");
            }
        } catch (ApiException e) {
            error(e.status, e.getMessage());
        } catch (IllegalArgumentException e) {
            error(400, e.getMessage());
        }
    }

    /** Adds or removes dashboards and datasets; validated in full before anything changes. */
    private void change(JsonNode msg, boolean add) {
        List<String> dashboards = names(msg, "dashboards");
        List<String> datasets = names(msg, "datasets");
        Map<String, String> params = new LinkedHashMap<>();
        JsonNode p = msg.path("params");
        if (!p.isMissingNode() && !p.isObject()) {
            throw new ApiException(400, "\"params\" must be an object such as {\"hours\": 24}");
        }
        p.properties().forEach(e -> params.put(e.getKey(), e.getValue().asString()));
        Api.Watch asked = api.watch(tenant, who, dashboards, datasets, params, true);
        RowScope rows = watch.datasets().isEmpty() ? asked.rows() : watch.rows();
        if (add && !asked.datasets().isEmpty() && !(rows.scope().equals(asked.rows().scope()) && rows.subject().equals(asked.rows().subject()))) {
            throw new ApiException(400, "this connection streams datasets " + (watch.rows().whole() ? "of the whole tenant"
                    : "of scope '" + watch.rows().scope() + "' of " + watch.rows().subject()) + "; open another connection for another slice");
        }
        Set<ViewKey> keys = new LinkedHashSet<>(watch.keys());
        Set<String> sets = new LinkedHashSet<>(watch.datasets());
        if (add) {
            keys.addAll(asked.keys());
            sets.addAll(asked.datasets());
        } else {
            // unsubscribing names dashboards, whatever their parameters
            keys.removeIf(k -> dashboards.contains(k.dashboard()));
            sets.removeAll(asked.datasets());
        }
        if (add && !asked.datasets().isEmpty()) {
            // the slice covers the datasets asked for now and those already watched
            rows = asked.rows().whole() ? rows : api.rowScope(rows.scope(), rows.subject(), List.copyOf(sets));
        }
        Api.Watch next = new Api.Watch(List.copyOf(keys), List.copyOf(sets), sets.isEmpty() ? RowScope.WHOLE : rows);
        Api.Watch before = watch;
        var previous = session.subscription();
        watch = next;
        // refused for too many live views: the stream goes on with what it watched, and says why
        session.watch(streams.subscription(tenant, next.keys(), next.datasets(), next.rows(), previous).by(owner), Optional.empty(),
                before.subscription(streams, tenant).by(owner)).thenAccept(refused -> refused.ifPresent(cause -> {
                    synchronized (this) {
                        if (watch == next) {
                            watch = before;
                        }
                    }
                    error(429, cause.getMessage());
                }));
    }

    private static List<String> names(JsonNode msg, String field) {
        JsonNode n = msg.path(field);
        if (n.isMissingNode()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw new ApiException(400, "\"" + field + "\" must be an array of names");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isString() || e.asString().isBlank()) {
                throw new ApiException(400, "\"" + field + "\" must hold names (strings)");
            }
            out.add(e.asString());
        }
        return out;
    }

    private void error(int status, String message) {
        sessions.messageError(tenant);
        session.send("error", Optional.of(Map.of("error", message, "status", status)));
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        if (session != null) {
            session.close(Optional.empty());
            sessions.remove(session);
        }
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        if (session != null) {
            session.close(Optional.of(cause));
            sessions.remove(session);
        }
    }
}
