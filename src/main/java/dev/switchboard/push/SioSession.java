package dev.switchboard.push;

import dev.switchboard.change.Position;
import dev.switchboard.hub.Codec;
import dev.switchboard.hub.Event;
import dev.switchboard.socketio.Socket;
import dev.switchboard.socketio.SocketIoServer;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.util.Callback;

/**
 * A {@link Session} over a Socket.IO socket: each event is emitted under its type
 * ({@code snapshot}, {@code delta}, {@code change}, {@code reset}) with the same JSON as the SSE
 * {@code data} (embedded as raw JSON, encoded once per event) and its position as the last
 * argument, which socket.io-client keeps as the offset it sends back when it reconnects.
 */
public final class SioSession extends Session {
    /** The JSON body as text, shared by every Socket.IO subscriber of an event. */
    static final Codec CODEC = new Codec() {
        @Override
        public int slot() {
            return 2;
        }

        @Override
        public ByteBuffer encode(Event e) {
            return ByteBuffer.wrap(e.json());
        }
    };

    /** How events read on one socket: natively, or in a seed's dialect (its event names and shapes). */
    @FunctionalInterface
    public interface Emitter {
        /** Emits {@code event} on {@code socket}; a non-ephemeral one with its position as the last argument. */
        void emit(Socket socket, Event event);
    }

    /** Each event under its own type, with the same JSON as the SSE {@code data}. */
    public static final Emitter NATIVE = (socket, e) -> {
        var body = SocketIoServer.rawJson(e.text(CODEC));
        if (e.ephemeral()) {
            socket.emit(e.type(), body);
        } else {
            socket.emit(e.type(), body, e.position().toString());
        }
    };

    private final Socket socket;
    private final Emitter emitter;

    public SioSession(Socket socket, Subscription subscription, int capacity) {
        this(socket, subscription, capacity, NATIVE);
    }

    public SioSession(Socket socket, Subscription subscription, int capacity, Emitter emitter) {
        super(subscription, new Outbox(capacity), CODEC);
        this.socket = socket;
        this.emitter = emitter;
    }

    @Override
    protected void write(ByteBuffer bytes, Callback done) {
        done.succeeded(); // transport bytes (heartbeats) are Engine.IO's business
    }

    @Override
    protected void writeAll(List<Object> items, Callback done) {
        for (Object o : items) {
            if (o instanceof Outbox.Farewell f) {
                var body = SocketIoServer.rawJson(reconnectBody(f.position()));
                if (f.position().isPresent()) {
                    socket.emit("reconnect", body, f.position().get().toString());
                } else {
                    socket.emit("reconnect", body);
                }
            } else if (o instanceof Event e) {
                emitter.emit(socket, e);
            }
        }
        done.succeeded(); // Socket.IO queues (bounded: overflow closes the connection, and the client recovers)
    }

    @Override
    protected String transport() {
        return "socketio";
    }

    @Override
    protected ByteBuffer reconnectNotice(Optional<Position> position) {
        return ByteBuffer.allocate(0); // emitted in writeAll, in order with the events
    }

    @Override
    protected ByteBuffer expiredNotice() {
        socket.emit("expired", SocketIoServer.rawJson(EXPIRED));
        return ByteBuffer.allocate(0);
    }

    @Override
    protected ByteBuffer heartbeatBytes() {
        return ByteBuffer.allocate(0);
    }

    @Override
    protected void end(Optional<Throwable> cause) {
        if (restarting() && cause.isEmpty()) {
            // no DISCONNECT packet: the client sees its transport close, reconnects by itself (to another
            // node) and recovers from the offset of the reconnect event, which is the last position written
            socket.closeConnection("server shutting down");
        } else if (socket.connected()) {
            socket.disconnect();
        }
    }
}
