package dev.switchboard.push;

import dev.switchboard.hub.Codec;
import dev.switchboard.hub.Event;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.api.StatusCode;

/**
 * A {@link Session} over a WebSocket that speaks another system's protocol: a {@link Translator}
 * turns each event into that protocol's text messages for this connection (or none), when the
 * session writes it. Everything else is the native stream's: the bounded, coalescing outbox, the
 * resynchronization after an overflow, the opening, the token's expiry and the stall limit.
 * Heartbeats are WebSocket pings, which browsers answer without the page seeing them.
 */
public final class MessageSession extends Session {
    /** Makes one connection's messages. Called by the session's writer, one event at a time. */
    public interface Translator {
        /** The text messages {@code event} becomes for this connection, in order; none to leave it out. */
        List<String> messages(Event event);

        /** The message telling the client its token expired (the connection closes after it). */
        String expired();
    }

    private final org.eclipse.jetty.websocket.api.Session ws;
    private final Translator translator;

    /**
     * @param codec the codec {@code translator} caches shared work in, through {@link Event#text}
     */
    public MessageSession(org.eclipse.jetty.websocket.api.Session ws, Subscription subscription, int capacity, Codec codec,
                          Translator translator) {
        super(subscription, new Outbox(capacity), codec);
        this.ws = ws;
        this.translator = translator;
    }

    /** Sends {@code text} (a reply to the client) behind what is queued. */
    public void send(String text) {
        control(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    protected void write(ByteBuffer bytes, Callback done) {
        writeAll(List.of(bytes), done);
    }

    @Override
    protected void writeAll(List<Object> items, Callback done) {
        List<String> texts = new ArrayList<>();
        boolean ping = false;
        for (Object o : items) {
            if (o instanceof Event e) {
                texts.addAll(translator.messages(e));
            } else if (o instanceof ByteBuffer b) {
                if (b.remaining() == 0) {
                    ping = true; // the heartbeat
                } else {
                    texts.add(StandardCharsets.UTF_8.decode(b.duplicate()).toString());
                }
            }
        }
        WsSession.send(ws, texts, ping, done);
    }

    @Override
    protected ByteBuffer expiredNotice() {
        return ByteBuffer.wrap(translator.expired().getBytes(StandardCharsets.UTF_8));
    }

    /** An empty buffer: {@link #writeAll} sends it as a WebSocket ping. */
    @Override
    protected ByteBuffer heartbeatBytes() {
        return ByteBuffer.allocate(0);
    }

    @Override
    protected void end(Optional<Throwable> cause) {
        if (ws.isOpen()) {
            ws.close(cause.isEmpty() ? StatusCode.NORMAL : StatusCode.SERVER_ERROR,
                    cause.map(c -> "stream ended: " + c.getMessage()).orElse("bye"), org.eclipse.jetty.websocket.api.Callback.NOOP);
        }
    }
}
