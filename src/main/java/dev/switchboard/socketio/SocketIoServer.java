package dev.switchboard.socketio;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.util.RawValue;

/**
 * A Socket.IO v5 server (Engine.IO v4: HTTP long-polling, WebSocket, and the upgrade) as a Jetty
 * core handler. Put it in the handler tree (e.g. first in a {@code Handler.Sequence}): it handles
 * requests to its path ({@code /socket.io/} by default) and declines every other.
 *
 * <pre>{@code
 * SocketIoServer io = SocketIoServer.builder().connectionStateRecovery(true).build();
 * io.of("/").onConnect((socket, auth, recovery) -> {
 *     if (!valid(auth.path("token").asString(""))) return Namespace.Admission.refuse("not authorized");
 *     socket.join("room-1");
 *     socket.on("hello", (args, ack) -> ack.send("hi"));
 *     return Namespace.Admission.accept();
 * });
 * server.setHandler(new Handler.Sequence(io, api));
 * io.of("/").emitTo("room-1", "news", data, "offset-42");
 * }</pre>
 */
public final class SocketIoServer extends Handler.Abstract {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Settings settings;
    private final Map<String, Namespace> namespaces = new ConcurrentHashMap<>();
    private final Map<String, EngineSession> sessions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers;
    private ServerWebSocketContainer container;

    private SocketIoServer(Settings settings) {
        this.settings = settings;
        ScheduledThreadPoolExecutor t = (ScheduledThreadPoolExecutor) Executors.newScheduledThreadPool(1,
                Thread.ofPlatform().daemon().name("socketio-timer").factory());
        t.setRemoveOnCancelPolicy(true);
        this.timers = t;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The namespace {@code name} ({@code "/"} is the main one), created on first use. Clients can connect only to namespaces created here. */
    public Namespace of(String name) {
        if (!name.startsWith("/")) {
            throw new IllegalArgumentException("a namespace name starts with '/': " + name);
        }
        return namespaces.computeIfAbsent(name, Namespace::new);
    }

    /** Open Engine.IO sessions (connections), for health and tests. */
    public int connections() {
        return sessions.size();
    }

    /**
     * JSON text that is already serialized, to pass as an emit argument without parsing it
     * again (e.g. an event's cached bytes). The text must be one valid JSON value.
     */
    public static JsonNode rawJson(String json) {
        return JsonNodeFactory.instance.rawValueNode(new RawValue(json));
    }

    @Override
    protected void doStart() throws Exception {
        container = ServerWebSocketContainer.ensure(getServer());
        super.doStart();
    }

    @Override
    protected void doStop() throws Exception {
        for (EngineSession s : List.copyOf(sessions.values())) {
            s.close("server shutting down", EngineSession.Ending.ABORT);
        }
        timers.shutdownNow();
        super.doStop();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        if (!path.equals(settings.path()) && !path.equals(settings.path().substring(0, settings.path().length() - 1))) {
            return false;
        }
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin != null) {
            if (!originAllowed(origin, request.getHeaders().get(HttpHeader.HOST))) {
                error(response, callback, 403, "origin " + origin + " is not allowed; add it to the allowed origins");
                return true;
            }
            response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, settings.allowedOrigins().contains("*") ? "*" : origin);
            response.getHeaders().add(HttpHeader.VARY, "Origin");
        }
        String method = request.getMethod();
        if (HttpMethod.OPTIONS.is(method)) {
            preflight(request, response, callback);
            return true;
        }
        Fields query = Request.extractQueryParameters(request);
        if (!"4".equals(query.getValue("EIO"))) {
            error(response, callback, 400, "unsupported protocol version: EIO=4 is required");
            return true;
        }
        String transport = query.getValue("transport");
        String sid = query.getValue("sid");
        if ("websocket".equals(transport)) {
            webSocket(request, response, callback, sid);
        } else if ("polling".equals(transport)) {
            polling(request, response, callback, method, sid);
        } else {
            error(response, callback, 400, "unknown transport: use transport=polling or transport=websocket");
        }
        return true;
    }

    private void polling(Request request, Response response, Callback callback, String method, String sid) {
        boolean get = HttpMethod.GET.is(method);
        if (sid == null) {
            if (!get) {
                error(response, callback, 400, "a handshake is a GET without sid");
                return;
            }
            EngineSession engine = newSession(Request.getRemoteAddr(request));
            Frame open = engine.open(null);
            byte[] body = Frame.encodePayload(List.of(open));
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=UTF-8");
            response.write(true, ByteBuffer.wrap(body), callback);
            return;
        }
        EngineSession engine = sessions.get(sid);
        // a poll after the pong deadline finds the session gone even if the timer is late; a POST
        // may carry the late pong itself, so it is let through while the timer has not closed it
        if (engine == null || get && engine.expired()) {
            if (engine != null) {
                engine.close("ping timeout", EngineSession.Ending.ABORT);
            }
            error(response, callback, 400, "Session ID unknown: open a new session");
            return;
        }
        if (get) {
            engine.poll(response, callback);
        } else if (HttpMethod.POST.is(method)) {
            if (request.getLength() > settings.maxPayload()) {
                error(response, callback, 413, "payload larger than maxPayload (" + settings.maxPayload() + " bytes)");
                engine.close("payload too large", EngineSession.Ending.ABORT);
                return;
            }
            // BLOCKING: the packets are handled on the thread that completes the read
            Content.Source.asByteArrayAsync(request, settings.maxPayload(), Promise.Invocable.from(InvocationType.BLOCKING, (bytes, failure) -> {
                if (failure != null) {
                    error(response, callback, 413, "payload unreadable or larger than maxPayload (" + settings.maxPayload() + " bytes)");
                    engine.close("payload too large", EngineSession.Ending.ABORT);
                } else {
                    engine.post(new String(bytes, StandardCharsets.UTF_8), response, callback);
                }
            }));
        } else {
            error(response, callback, 400, "polling takes GET or POST");
        }
    }

    private void webSocket(Request request, Response response, Callback callback, String sid) {
        Optional<EngineSession> upgradeOf = Optional.empty();
        if (sid != null) {
            upgradeOf = Optional.ofNullable(sessions.get(sid));
            if (upgradeOf.isEmpty()) {
                error(response, callback, 400, "Session ID unknown: open a new session");
                return;
            }
        }
        Optional<EngineSession> target = upgradeOf;
        boolean upgraded = container.upgrade((rq, rs, cb) -> new WsEndpoint(this, target), request, response, callback);
        if (!upgraded) {
            error(response, callback, 400, "transport=websocket needs a WebSocket upgrade request");
        }
    }

    private void preflight(Request request, Response response, Callback callback) {
        response.setStatus(204);
        response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST");
        String headers = request.getHeaders().get(HttpHeader.ACCESS_CONTROL_REQUEST_HEADERS);
        if (headers != null) {
            response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, headers);
        }
        response.getHeaders().put(HttpHeader.ACCESS_CONTROL_MAX_AGE, 600);
        callback.succeeded();
    }

    /** Allowed: a configured origin, any with {@code "*"}, or the server's own (same host and port). */
    private boolean originAllowed(String origin, String host) {
        if (settings.allowedOrigins().contains("*") || settings.allowedOrigins().contains(origin)) {
            return true;
        }
        try {
            String authority = URI.create(origin).getRawAuthority();
            return authority != null && authority.equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private EngineSession newSession(String remoteAddress) {
        EngineSession engine = new EngineSession(randomId(), remoteAddress, settings, timers, s -> sessions.remove(s.sid, s));
        engine.listener(new Client(this, engine));
        sessions.put(engine.sid, engine);
        return engine;
    }

    EngineSession openOverWebSocket(Session webSocket) {
        EngineSession engine = newSession(webSocket.getRemoteSocketAddress() instanceof java.net.InetSocketAddress a
                ? a.getAddress().getHostAddress() : String.valueOf(webSocket.getRemoteSocketAddress()));
        engine.open(webSocket);
        engine.send(List.of(), false); // writes the queued open packet
        return engine;
    }

    Optional<Namespace> namespace(String name) {
        return Optional.ofNullable(namespaces.get(name));
    }

    Settings settings() {
        return settings;
    }

    ScheduledExecutorService timers() {
        return timers;
    }

    static String randomId() {
        byte[] bytes = new byte[15];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static void error(Response response, Callback callback, int status, String message) {
        String body = "{\"error\":" + Packet.JSON.writeValueAsString(message) + ",\"status\":" + status + "}";
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }

    /** Configuration; every setting has a default. */
    public static final class Builder {
        private String path = "/socket.io/";
        private Duration pingInterval = Duration.ofSeconds(25);
        private Duration pingTimeout = Duration.ofSeconds(20);
        private int maxPayload = 1_000_000;
        private Duration connectTimeout = Duration.ofSeconds(45);
        private Duration upgradeTimeout = Duration.ofSeconds(10);
        private List<String> allowedOrigins = List.of();
        private boolean recovery;
        private int outboundQueue = 1024;

        private Builder() {
        }

        /** The mount path, ending with '/'. The default is {@code /socket.io/}. */
        public Builder path(String value) {
            if (!value.startsWith("/") || !value.endsWith("/") || value.length() < 2) {
                throw new IllegalArgumentException("path must start and end with '/' and not be '/': " + value);
            }
            path = value;
            return this;
        }

        /** How often the server pings. The default is 25 seconds. */
        public Builder pingInterval(Duration value) {
            pingInterval = positive("pingInterval", value);
            return this;
        }

        /** How long after a ping is due the pong may take before the connection is closed. The default is 20 seconds. */
        public Builder pingTimeout(Duration value) {
            pingTimeout = positive("pingTimeout", value);
            return this;
        }

        /** The largest message or polling body accepted, in bytes; also bounds a polling response. The default is 1,000,000. */
        public Builder maxPayload(int value) {
            if (value < 16) {
                throw new IllegalArgumentException("maxPayload must be at least 16 bytes: " + value);
            }
            maxPayload = value;
            return this;
        }

        /** How long a new connection may take to connect a namespace before it is closed. The default is 45 seconds. */
        public Builder connectTimeout(Duration value) {
            connectTimeout = positive("connectTimeout", value);
            return this;
        }

        /** How long a WebSocket probe may take to complete the upgrade. The default is 10 seconds. */
        public Builder upgradeTimeout(Duration value) {
            upgradeTimeout = positive("upgradeTimeout", value);
            return this;
        }

        /**
         * Origins (e.g. {@code https://app.example.com}, or {@code *}) allowed besides the server's
         * own, for polling (CORS) and WebSocket. The default is none: same origin only; requests
         * without an Origin header (non-browser clients) are always allowed.
         */
        public Builder allowedOrigins(List<String> value) {
            allowedOrigins = List.copyOf(value);
            return this;
        }

        /** Connection state recovery: CONNECT replies carry a {@code pid}, and reconnects their {@link Recovery}. The default is off. */
        public Builder connectionStateRecovery(boolean value) {
            recovery = value;
            return this;
        }

        /** Packets queued per connection before it is closed as too slow (a reconnect may recover). The default is 1024. */
        public Builder outboundQueue(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("outboundQueue must be positive: " + value);
            }
            outboundQueue = value;
            return this;
        }

        public SocketIoServer build() {
            return new SocketIoServer(new Settings(path, pingInterval, pingTimeout, maxPayload, connectTimeout, upgradeTimeout,
                    allowedOrigins, recovery, outboundQueue));
        }

        private static Duration positive(String name, Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }
    }

    /**
     * The Jetty WebSocket endpoint of one connection: a new Engine.IO session over WebSocket, or the
     * probe of a polling session that is upgrading ({@code upgradeOf}). Internal: public only
     * because Jetty invokes endpoint methods through a public lookup.
     */
    public static final class WsEndpoint implements Session.Listener.AutoDemanding {
        private final SocketIoServer server;
        private final Optional<EngineSession> upgradeOf;
        private Session session;
        private EngineSession engine;

        WsEndpoint(SocketIoServer server, Optional<EngineSession> upgradeOf) {
            this.server = server;
            this.upgradeOf = upgradeOf;
        }

        @Override
        public void onWebSocketOpen(Session s) {
            Settings settings = server.settings();
            s.setMaxTextMessageSize(settings.maxPayload());
            s.setMaxBinaryMessageSize(settings.maxPayload());
            // the Engine.IO heartbeat decides when a peer is gone; this only reaps what it missed
            s.setIdleTimeout(settings.pingInterval().plus(settings.pingTimeout()).plus(Duration.ofSeconds(30)));
            session = s;
            if (upgradeOf.isPresent()) {
                if (upgradeOf.get().attachProbe(s)) {
                    engine = upgradeOf.get();
                } else {
                    s.close(StatusCode.NORMAL, "the session is closed, upgraded or upgrading", org.eclipse.jetty.websocket.api.Callback.NOOP);
                }
            } else {
                engine = server.openOverWebSocket(s);
            }
        }

        @Override
        public void onWebSocketText(String text) {
            if (engine != null) {
                engine.wsText(session, text);
            }
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, org.eclipse.jetty.websocket.api.Callback callback) {
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            callback.succeed();
            if (engine != null) {
                engine.wsBinary(session, bytes);
            }
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason, org.eclipse.jetty.websocket.api.Callback callback) {
            callback.succeed();
            if (engine != null) {
                engine.wsClosed(session);
            }
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            // onWebSocketClose follows
        }
    }
}
