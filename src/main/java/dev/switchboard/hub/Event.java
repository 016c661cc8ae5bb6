package dev.switchboard.hub;

import dev.switchboard.change.Position;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One message on a topic: its SSE event type, its position and its JSON body, encoded once. The
 * SSE frame is built on first use and the same bytes go to every subscriber.
 */
public final class Event {
    private final String type;
    private final String topic;
    private final Position position;
    private final byte[] json;
    private volatile ByteBuffer sse;

    public Event(String type, String topic, Position position, byte[] json) {
        this.type = type;
        this.topic = topic;
        this.position = position;
        this.json = json;
    }

    public String type() {
        return type;
    }

    public String topic() {
        return topic;
    }

    public Position position() {
        return position;
    }

    /** The JSON body; do not modify. */
    public byte[] json() {
        return json;
    }

    /** The SSE frame ({@code id}, {@code event}, {@code data}), shared read-only by all writers. */
    public ByteBuffer sse() {
        ByteBuffer b = sse;
        if (b == null) {
            byte[] head = ("id: " + position + "\nevent: " + type + "\ndata: ").getBytes(StandardCharsets.UTF_8);
            ByteBuffer buf = ByteBuffer.allocate(head.length + json.length + 2);
            buf.put(head).put(json).put((byte) '\n').put((byte) '\n').flip();
            sse = b = buf.asReadOnlyBuffer();
        }
        return b.duplicate();
    }

    @Override
    public String toString() {
        return type + "@" + position + " " + topic;
    }
}
