package dev.switchboard.push;

import dev.switchboard.change.Position;
import dev.switchboard.hub.Codec;
import dev.switchboard.hub.Event;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import tools.jackson.databind.json.JsonMapper;

/** A {@link Session} over Server-Sent Events on a Jetty response. */
public final class SseSession extends Session {
    /** Queued events per connection before it is resynchronized. The default is 1024. */
    public static final int QUEUE = 1024;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final ByteBuffer HEARTBEAT = ByteBuffer.wrap(": heartbeat\n\n".getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
    private static final ByteBuffer RETRY = ByteBuffer.wrap("retry: 1000\n\n".getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();

    /** The SSE block of an event named {@code name} with {@code json} as its data (and an id unless {@code ephemeral}). */
    public static ByteBuffer block(String name, boolean ephemeral, dev.switchboard.change.Position position, byte[] json) {
        byte[] head = ((ephemeral ? "" : "id: " + position + "\n") + "event: " + name + "\ndata: ").getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(head.length + json.length + 2);
        return buf.put(head).put(json).put((byte) '\n').put((byte) '\n').flip();
    }

    /** SSE framing: {@code id} (the position, unless ephemeral), {@code event}, {@code data}. */
    public static final Codec CODEC = new Codec() {
        @Override
        public int slot() {
            return 0;
        }

        @Override
        public ByteBuffer encode(Event e) {
            return block(e.type(), e.ephemeral(), e.position(), e.json());
        }
    };

    private final Response response;
    private final Callback done;

    public SseSession(Response response, Callback done, Subscription subscription, int capacity) {
        this(response, done, subscription, capacity, CODEC);
    }

    /** A session whose events are framed by {@code codec} (a compatibility stream's own names and shapes). */
    public SseSession(Response response, Callback done, Subscription subscription, int capacity, Codec codec) {
        super(subscription, new Outbox(capacity), codec);
        this.response = response;
        this.done = done;
    }

    @Override
    protected void write(ByteBuffer bytes, Callback callback) {
        response.write(false, bytes, callback);
    }

    @Override
    protected List<ByteBuffer> preamble() {
        return List.of(RETRY.duplicate());
    }

    @Override
    protected String transport() {
        return "sse";
    }

    /**
     * {@code event: reconnect} with {@code id:} the last position written (so EventSource's
     * Last-Event-ID is exactly that) and {@code retry:} the wait before reconnecting.
     */
    @Override
    protected ByteBuffer reconnectNotice(Optional<Position> position) {
        return ByteBuffer.wrap((position.map(p -> "id: " + p + "\n").orElse("") + "event: reconnect\nretry: " + retry().toMillis()
                + "\ndata: " + reconnectBody(position) + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected ByteBuffer expiredNotice() {
        return ByteBuffer.wrap(("event: expired\ndata: " + EXPIRED + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected ByteBuffer heartbeatBytes() {
        return HEARTBEAT.duplicate();
    }

    @Override
    protected void end(Optional<Throwable> cause) {
        if (cause.isEmpty()) {
            done.succeeded();
            return;
        }
        if (!response.isCommitted()) {
            // the opening failed before anything was written: the client gets a JSON error it can act on
            int status = cause.get() instanceof dev.switchboard.live.LiveEngine.TooManyViews ? 429 : 503;
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.RETRY_AFTER, status == 429 ? "30" : "1");
            String message = "the stream could not be opened: " + cause.get().getMessage();
            response.write(true, ByteBuffer.wrap(JSON.writeValueAsBytes(Map.of("error", message, "status", status))), done);
            return;
        }
        done.failed(cause.get());
    }
}
