package dev.switchboard.push;

import dev.switchboard.change.Position;
import dev.switchboard.hub.Codec;
import dev.switchboard.hub.Event;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.api.StatusCode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A {@link Session} over a WebSocket, one text message per event:
 * {@code {"event": "snapshot|delta|change|reset", "id": "<position>", "data": {...}}} with the same
 * {@code data} as the SSE event. What is queued is handed to Jetty at once (its flusher batches
 * the frames); the next batch waits until Jetty took this one.
 */
public final class WsSession extends Session {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final byte[] HEARTBEAT = "{\"event\":\"heartbeat\"}".getBytes(StandardCharsets.UTF_8);

    /** The WebSocket framing of an event (without {@code id} when ephemeral). */
    public static final Codec CODEC = new Codec() {
        @Override
        public int slot() {
            return 1;
        }

        @Override
        public ByteBuffer encode(Event e) {
            byte[] head = ("{\"event\":" + quote(e.type()) + (e.ephemeral() ? "" : ",\"id\":" + quote(e.position().toString())) + ",\"data\":")
                    .getBytes(StandardCharsets.UTF_8);
            byte[] json = e.json();
            return ByteBuffer.allocate(head.length + json.length + 1).put(head).put(json).put((byte) '}').flip();
        }
    };

    private final org.eclipse.jetty.websocket.api.Session ws;
    /** Set once the transport is done: at once, or when the close frame of a graceful stop is written. */
    private volatile boolean done;

    public WsSession(org.eclipse.jetty.websocket.api.Session ws, Subscription subscription, int capacity) {
        super(subscription, new Outbox(capacity), CODEC);
        this.ws = ws;
    }

    private static String quote(String s) {
        return JSON.writeValueAsString(s);
    }

    @Override
    protected void write(ByteBuffer bytes, Callback done) {
        writeAll(List.of(bytes), done);
    }

    @Override
    protected void writeAll(List<Object> items, Callback done) {
        List<String> texts = new ArrayList<>(items.size());
        for (Object o : items) {
            if (o instanceof Event e) {
                texts.add(e.text(CODEC));
            } else if (o instanceof ByteBuffer b) {
                texts.add(StandardCharsets.UTF_8.decode(b.duplicate()).toString());
            } else if (o instanceof Outbox.Farewell f) {
                texts.add(StandardCharsets.UTF_8.decode(reconnectNotice(f.position())).toString());
            }
        }
        send(ws, texts, false, done);
    }

    /**
     * Sends {@code texts} (then a ping, with {@code ping}) as WebSocket frames; {@code done} succeeds
     * once all are written, or fails once, at the first failure. Nothing to send succeeds at once.
     */
    static void send(org.eclipse.jetty.websocket.api.Session ws, List<String> texts, boolean ping, Callback done) {
        int frames = texts.size() + (ping ? 1 : 0);
        if (frames == 0) {
            done.succeeded();
            return;
        }
        AtomicInteger left = new AtomicInteger(frames);
        AtomicBoolean failed = new AtomicBoolean();
        org.eclipse.jetty.websocket.api.Callback each = org.eclipse.jetty.websocket.api.Callback.from(() -> {
            if (left.decrementAndGet() == 0 && !failed.get()) {
                done.succeeded();
            }
        }, x -> {
            if (failed.compareAndSet(false, true)) {
                done.failed(x);
            }
        });
        for (String t : texts) {
            ws.sendText(t, each);
        }
        if (ping) {
            ws.sendPing(ByteBuffer.allocate(0), each);
        }
    }

    @Override
    protected String transport() {
        return "websocket";
    }

    /** {@code {"event":"reconnect","id":"<last position written>","data":{...}}}; the close that follows is 1012 (service restart). */
    @Override
    protected ByteBuffer reconnectNotice(Optional<Position> position) {
        return ByteBuffer.wrap(("{\"event\":\"reconnect\"" + position.map(p -> ",\"id\":" + quote(p.toString())).orElse("")
                + ",\"data\":" + reconnectBody(position) + "}").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected ByteBuffer expiredNotice() {
        return ByteBuffer.wrap(("{\"event\":\"expired\",\"data\":" + EXPIRED + "}").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected ByteBuffer heartbeatBytes() {
        return ByteBuffer.wrap(HEARTBEAT);
    }

    /** Sends a control message (a pong, an error naming the problem) behind what is queued. */
    public void send(String event, Optional<Object> data) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("event", event);
        data.ifPresent(d -> m.put("data", d));
        control(ByteBuffer.wrap(JSON.writeValueAsBytes(m)));
    }

    /**
     * Watches {@code next} from now on, continuing after the last event written or from
     * {@code since}; when {@code next} is refused for too many views, goes on watching
     * {@code fallback} and completes with the refusal (see {@link Session#switchTo}).
     */
    public CompletableFuture<Optional<Throwable>> watch(Subscription next, Optional<Position> since, Subscription fallback) {
        return switchTo(next, since, fallback);
    }

    @Override
    public boolean ended() {
        return closed() && done;
    }

    @Override
    protected void end(Optional<Throwable> cause) {
        if (ws.isOpen() && restarting() && cause.isEmpty()) {
            ws.close(StatusCode.SERVICE_RESTART, "service restart", org.eclipse.jetty.websocket.api.Callback.from(() -> done = true,
                    x -> done = true));
            return;
        }
        done = true;
        if (ws.isOpen()) {
            ws.close(cause.isEmpty() ? StatusCode.POLICY_VIOLATION : StatusCode.SERVER_ERROR,
                    cause.map(c -> "stream ended: " + c.getMessage()).orElse("bye"), org.eclipse.jetty.websocket.api.Callback.NOOP);
        }
    }
}
