package dev.switchboard.core;

import dev.switchboard.change.Position;
import dev.switchboard.push.Outbox;
import dev.switchboard.push.Session;
import dev.switchboard.push.SseSession;
import dev.switchboard.push.Subscription;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.util.Callback;
import tools.jackson.databind.JsonNode;

/**
 * A session whose "socket" is memory: it writes SSE bytes into a buffer that the test parses into
 * events. {@link #pause} stops completing writes (a client that stopped reading); {@link #resume}
 * lets them through.
 */
final class MemorySession extends Session {
    record Ev(String id, String type, JsonNode data) {
        Position position() {
            return Position.parse(id).orElseThrow();
        }
    }

    private final StringBuilder text = new StringBuilder();
    private final List<Ev> events = new ArrayList<>();
    private final AtomicBoolean paused = new AtomicBoolean();
    private Callback held;
    private volatile Optional<Throwable> ended;

    MemorySession(Subscription subscription, int capacity) {
        super(subscription, new Outbox(capacity), SseSession.CODEC);
    }

    @Override
    protected void write(ByteBuffer bytes, Callback done) {
        String s = StandardCharsets.UTF_8.decode(bytes).toString();
        synchronized (this) {
            text.append(s);
            parse();
            if (paused.get()) {
                held = done;
                return;
            }
        }
        done.succeeded();
    }

    void pause() {
        paused.set(true);
    }

    /** Whether a write is held by {@link #pause} (the transport has a write pending). */
    synchronized boolean holdingAWrite() {
        return held != null;
    }

    void resume() {
        Callback c;
        synchronized (this) {
            paused.set(false);
            c = held;
            held = null;
        }
        if (c != null) {
            c.succeeded();
        }
    }

    private void parse() {
        int end;
        while ((end = text.indexOf("\n\n")) >= 0) {
            String block = text.substring(0, end);
            text.delete(0, end + 2);
            String id = null;
            String type = null;
            String data = null;
            for (String line : block.split("\n")) {
                if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    type = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = line.substring(6);
                }
            }
            if (type != null) {
                events.add(new Ev(id, type, Core.JSON.readTree(data)));
            }
        }
    }

    synchronized List<Ev> events() {
        return List.copyOf(events);
    }

    @Override
    protected ByteBuffer expiredNotice() {
        return ByteBuffer.wrap(("event: expired\ndata: {}\n\n").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected ByteBuffer heartbeatBytes() {
        return ByteBuffer.wrap(": hb\n\n".getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected void end(Optional<Throwable> cause) {
        ended = cause;
    }

    Optional<Throwable> failure() {
        Optional<Throwable> e = ended;
        return e == null ? Optional.empty() : e;
    }
}
