package dev.switchboard.socketio;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * One client's connection to one {@link Namespace}.
 *
 * <p>Arguments go out as JSON: a {@link JsonNode} as is, {@code byte[]} and {@link ByteBuffer} as
 * binary attachments, anything else through Jackson ({@link SocketIoServer#rawJson} embeds JSON
 * text that is already serialized). Every method may be called from any thread and none blocks on
 * the network: packets wait in the connection's bounded queue (see {@link SocketIoServer.Builder#outboundQueue}).
 * Emits made before the connection is accepted (inside the connect handler, e.g. a replay) are
 * held and sent right after the CONNECT reply, in order, before anything emitted later.
 *
 * <p>Handlers registered with {@link #on} run on the thread that read the packet, one packet at a
 * time per connection; a handler that blocks delays that connection's next packets.
 */
public final class Socket {
    /** Handles one event; {@code args} excludes the event name. */
    @FunctionalInterface
    public interface EventHandler {
        void handle(List<JsonNode> args, Ack ack);
    }

    /** The acknowledgement the client asked for, if it asked. */
    public interface Ack {
        /** True when the client waits for an acknowledgement. */
        boolean requested();

        /** Sends the acknowledgement with these arguments; only the first call counts, and nothing is sent when not requested. */
        void send(Object... args);
    }

    private enum State { CONNECTING, CONNECTED, ENDED }

    private static final Logger LOG = LoggerFactory.getLogger(Socket.class);
    private static final Ack NO_ACK = new Ack() {
        public boolean requested() {
            return false;
        }

        public void send(Object... args) {
        }
    };

    private final Namespace namespace;
    private final Client client;
    private final String id;
    private final ObjectNode auth;
    private final Optional<Recovery> recovery;
    private final Map<String, EventHandler> handlers = new ConcurrentHashMap<>();
    private final List<Consumer<String>> disconnectHandlers = new CopyOnWriteArrayList<>();
    private final Set<String> rooms = ConcurrentHashMap.newKeySet();
    private final Map<Long, CompletableFuture<List<JsonNode>>> acks = new ConcurrentHashMap<>();
    private final AtomicLong ackIds = new AtomicLong();
    // guarded by this
    private State state = State.CONNECTING;
    private final List<Frame> opening = new ArrayList<>();

    Socket(Namespace namespace, Client client, String id, ObjectNode auth, Optional<Recovery> recovery) {
        this.namespace = namespace;
        this.client = client;
        this.id = id;
        this.auth = auth;
        this.recovery = recovery;
    }

    /** The socket id sent in the CONNECT reply (the client's {@code socket.id}). */
    public String id() {
        return id;
    }

    /** The client's address (IP) as its Engine.IO handshake came from it, for per-address limits. */
    public String remoteAddress() {
        return client.engine.remoteAddress;
    }

    /** The namespace name, e.g. {@code "/"}. */
    public String namespace() {
        return namespace.name();
    }

    /** A copy of the CONNECT payload (the client's {@code auth}); an empty object when it sent none. */
    public JsonNode auth() {
        return auth.deepCopy();
    }

    /** What a reconnecting client claimed, when connection state recovery is enabled and it claimed something. */
    public Optional<Recovery> recovery() {
        return recovery;
    }

    /** Handles the event {@code event}; replaces an earlier handler of the same event. Unhandled events are ignored. */
    public void on(String event, EventHandler handler) {
        handlers.put(event, handler);
    }

    /** Called once with the reason when the socket ends (client or server disconnect, transport close, ping timeout...). */
    public void onDisconnect(Consumer<String> handler) {
        disconnectHandlers.add(handler);
    }

    /**
     * Emits an event. To let the client recover from it, put the event's offset (a string) as
     * the last argument: the client remembers the last one it received and sends it back on reconnect.
     *
     * @return false when the socket has ended (or the connection just closed on queue overflow)
     */
    public boolean emit(String event, Object... args) {
        return send(new Packet(Packet.EVENT, namespace.name(), -1, array(event, args), 0).encode());
    }

    /**
     * Emits an event and waits for the client's acknowledgement.
     *
     * @return the acknowledgement's arguments; fails with {@link TimeoutException} after {@code timeout},
     *         or with {@link IllegalStateException} when the socket ends first
     */
    public CompletableFuture<List<JsonNode>> emitWithAck(Duration timeout, String event, Object... args) {
        long ackId = ackIds.getAndIncrement();
        CompletableFuture<List<JsonNode>> reply = new CompletableFuture<>();
        acks.put(ackId, reply);
        ScheduledFuture<?> timer = client.engineTimers().schedule(() -> {
            if (acks.remove(ackId) != null) {
                reply.completeExceptionally(new TimeoutException("no acknowledgement of '" + event + "' within " + timeout));
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        reply.whenComplete((r, e) -> timer.cancel(false));
        if (!send(new Packet(Packet.EVENT, namespace.name(), ackId, array(event, args), 0).encode())) {
            acks.remove(ackId);
            reply.completeExceptionally(new IllegalStateException("socket " + id + " has ended"));
        }
        return reply;
    }

    /** Joins a room of its namespace (idempotent). */
    public void join(String room) {
        if (ended() || !rooms.add(room)) {
            return;
        }
        namespace.join(room, this);
        if (ended()) {
            namespace.leave(room, this); // ended meanwhile: its rooms may have been left before this one was joined
        }
    }

    private synchronized boolean ended() {
        return state == State.ENDED;
    }

    /** Leaves a room (idempotent). */
    public void leave(String room) {
        if (rooms.remove(room)) {
            namespace.leave(room, this);
        }
    }

    /** The rooms it is in. */
    public Set<String> rooms() {
        return Set.copyOf(rooms);
    }

    public synchronized boolean connected() {
        return state == State.CONNECTED;
    }

    /** Disconnects from this namespace (the client gets a DISCONNECT); the underlying connection stays. */
    public void disconnect() {
        disconnect(false);
    }

    /** Disconnects from this namespace, and with {@code closeConnection} closes the whole connection after what is queued. */
    public void disconnect(boolean closeConnection) {
        boolean wasConnected;
        synchronized (this) {
            wasConnected = state == State.CONNECTED;
        }
        if (wasConnected) {
            send(new Packet(Packet.DISCONNECT, namespace.name(), -1, null, 0).encode());
        }
        client.removed(this);
        ended("server namespace disconnect");
        if (closeConnection) {
            client.engine.close("forced close", EngineSession.Ending.SERVER);
        }
    }

    /**
     * Closes the whole connection after what is queued, without a DISCONNECT packet: the client
     * sees its transport close and reconnects by itself (with connection state recovery, sending
     * its pid and the offset of the last event it received), e.g. to another server.
     */
    public void closeConnection(String reason) {
        client.engine.close(reason, EngineSession.Ending.SERVER);
    }

    boolean send(List<Frame> frames) {
        synchronized (this) {
            if (state == State.ENDED) {
                return false;
            }
            if (state == State.CONNECTING) {
                opening.addAll(frames);
                return true;
            }
        }
        return client.engine.send(frames, false);
    }

    /**
     * Accepted: the CONNECT reply, then what was emitted meanwhile, all allowed past the queue bound.
     *
     * @return false when the socket ended meanwhile (e.g. the connect handler disconnected it)
     */
    boolean connected(List<Frame> reply) {
        synchronized (this) {
            if (state != State.CONNECTING) {
                return false;
            }
            List<Frame> frames = new ArrayList<>(reply);
            frames.addAll(opening);
            opening.clear();
            state = State.CONNECTED;
            client.engine.send(frames, true);
            return true;
        }
    }

    /** Refused by the connect handler: nothing it emitted is sent. */
    void refused() {
        synchronized (this) {
            state = State.ENDED;
            opening.clear();
        }
        namespace.remove(this, rooms);
    }

    void ended(String reason) {
        synchronized (this) {
            if (state == State.ENDED) {
                return;
            }
            state = State.ENDED;
            opening.clear();
        }
        namespace.remove(this, rooms);
        acks.values().forEach(f -> f.completeExceptionally(new IllegalStateException("socket " + id + " ended: " + reason)));
        acks.clear();
        for (Consumer<String> h : disconnectHandlers) {
            try {
                h.accept(reason);
            } catch (RuntimeException e) {
                LOG.warn("namespace {}: disconnect handler failed", namespace.name(), e);
            }
        }
    }

    void onEvent(Packet p) {
        JsonNode data = p.data();
        String event = data.get(0).isString() ? data.get(0).asString() : data.get(0).asString("");
        EventHandler handler = handlers.get(event);
        if (handler == null) {
            return;
        }
        List<JsonNode> args = new ArrayList<>(data.size() - 1);
        for (int k = 1; k < data.size(); k++) {
            args.add(data.get(k));
        }
        Ack ack = p.id() < 0 ? NO_ACK : new OneAck(p.id());
        try {
            handler.handle(List.copyOf(args), ack);
        } catch (RuntimeException e) {
            LOG.warn("namespace {}: handler of '{}' failed", namespace.name(), event, e);
        }
    }

    void onAck(long ackId, JsonNode data) {
        CompletableFuture<List<JsonNode>> f = acks.remove(ackId);
        if (f != null) {
            List<JsonNode> args = new ArrayList<>();
            data.forEach(args::add);
            f.complete(List.copyOf(args));
        }
    }

    private final class OneAck implements Ack {
        private final long ackId;
        private final AtomicBoolean sent = new AtomicBoolean();

        OneAck(long ackId) {
            this.ackId = ackId;
        }

        public boolean requested() {
            return true;
        }

        public void send(Object... args) {
            if (sent.compareAndSet(false, true)) {
                Socket.this.send(new Packet(Packet.ACK, namespace.name(), ackId, array(null, args), 0).encode());
            }
        }
    }

    /** The JSON array of an event ({@code [event, ...args]}) or, without event, of an ack. */
    static ArrayNode array(String event, Object[] args) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode(args.length + 1);
        if (event != null) {
            a.add(event);
        }
        for (Object o : args) {
            a.add(node(o));
        }
        return a;
    }

    private static JsonNode node(Object o) {
        if (o == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        if (o instanceof JsonNode n) {
            return n;
        }
        if (o instanceof byte[] b) {
            return JsonNodeFactory.instance.binaryNode(b);
        }
        if (o instanceof ByteBuffer b) {
            byte[] bytes = new byte[b.remaining()];
            b.duplicate().get(bytes);
            return JsonNodeFactory.instance.binaryNode(bytes);
        }
        return Packet.JSON.valueToTree(o);
    }

    @Override
    public String toString() {
        return "Socket[" + namespace.name() + " " + id + "]";
    }
}
