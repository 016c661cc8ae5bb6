package dev.switchboard.hub;

import dev.switchboard.change.Position;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;
import tools.jackson.databind.json.JsonMapper;

/**
 * One message on a topic: its type ({@code snapshot}, {@code delta}, {@code change}, {@code reset},
 * ...), its position and its JSON body, encoded once. Each transport's frame is built on first use
 * ({@link #frame}) and the same bytes go to every subscriber of that transport. A delta also keeps
 * its widget map, so a queue can merge two deltas without parsing JSON.
 */
public final class Event {
    static final JsonMapper JSON = JsonMapper.builder().build();

    private final String type;
    private final String topic;
    private final Position position;
    private final byte[] json;
    private final boolean ephemeral;
    private final Map<String, Object> widgets;
    private final String dashboard;
    private final String tenant;
    /** When the newest change this event carries was committed, in epoch microseconds; 0 when no commit caused it. */
    private final long committedMicros;
    private final AtomicReferenceArray<ByteBuffer> frames = new AtomicReferenceArray<>(Codec.SLOTS);
    private final AtomicReferenceArray<String> texts = new AtomicReferenceArray<>(Codec.SLOTS);

    public Event(String type, String topic, Position position, byte[] json) {
        this(type, topic, position, json, 0);
    }

    /** An event caused by a change committed at {@code committedMicros} (epoch microseconds). */
    Event(String type, String topic, Position position, byte[] json, long committedMicros) {
        this(type, topic, position, json, false, null, null, null, committedMicros);
    }

    private Event(String type, String topic, Position position, byte[] json, boolean ephemeral, Map<String, Object> widgets,
                  String dashboard, String tenant, long committedMicros) {
        this.type = type;
        this.topic = topic;
        this.position = position;
        this.json = json;
        this.ephemeral = ephemeral;
        this.widgets = widgets;
        this.dashboard = dashboard;
        this.tenant = tenant;
        this.committedMicros = committedMicros;
    }

    /** A {@code delta} of a view's widgets (their full new values) as of {@code position}. */
    public static Event delta(String topic, String dashboard, String tenant, Position position, Map<String, Object> widgets) {
        return delta(topic, dashboard, tenant, position, widgets, 0);
    }

    /** A {@link #delta} caused by changes the newest of which was committed at {@code committedMicros} (epoch microseconds). */
    static Event delta(String topic, String dashboard, String tenant, Position position, Map<String, Object> widgets, long committedMicros) {
        Map<String, Object> kept = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(widgets));
        JsonBytes body = JsonBytes.start(512).raw('{')
                .name("dashboard").value(dashboard).raw(',')
                .name("tenant").value(tenant).raw(',')
                .name("position").value(position.toString()).raw(',')
                .name("widgets").value(kept).raw('}');
        return new Event("delta", topic, position, body.toBytes(), false, kept, dashboard, tenant, committedMicros);
    }

    /** An event of an {@link TopicKind#EPHEMERAL} topic: written without an id, never resumed from. */
    public static Event ephemeral(String type, String topic, Position position, Object body) {
        return new Event(type, topic, position, JsonBytes.encode(body), true, null, null, null, 0);
    }

    /** This delta's header (topic, dashboard, tenant, position) with {@code widgets} as its body's widgets. */
    public Event withWidgets(Map<String, Object> widgets) {
        if (this.widgets == null) {
            throw new IllegalArgumentException("not a delta: " + this);
        }
        return delta(topic, dashboard, tenant, position, widgets);
    }

    /** Whether this is a delta, whose widgets a queue may merge ({@link #withWidgets}). */
    public boolean mergeable() {
        return widgets != null;
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

    /** Whether this event has no position a client may resume from. */
    public boolean ephemeral() {
        return ephemeral;
    }

    /**
     * When the newest change this event carries was committed (epoch microseconds, by the
     * database's clock), for the commit-to-push latency; 0 for events no commit caused
     * (snapshots, time passing, notices) and for merged deltas.
     */
    public long committedMicros() {
        return committedMicros;
    }

    /** Epoch microseconds of {@code t}. */
    public static long micros(java.time.Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
    }

    /** The widgets of a delta. */
    public Optional<Map<String, Object>> widgets() {
        return Optional.ofNullable(widgets);
    }

    /** The JSON body; do not modify. */
    public byte[] json() {
        return json;
    }

    /** The frame of {@code codec}, encoded on first use and shared read-only by all writers. */
    public ByteBuffer frame(Codec codec) {
        int slot = codec.slot();
        if (slot == Codec.UNSHARED) {
            return codec.encode(this);
        }
        ByteBuffer b = frames.get(slot);
        if (b == null) {
            b = codec.encode(this).asReadOnlyBuffer();
            frames.compareAndSet(slot, null, b);
            b = frames.get(slot);
        }
        return b.duplicate();
    }

    /**
     * The frame of {@code codec} as text, for transports whose API sends strings (WebSocket text
     * messages): decoded once and shared like {@link #frame}.
     */
    public String text(Codec codec) {
        int slot = codec.slot();
        if (slot == Codec.UNSHARED) {
            return java.nio.charset.StandardCharsets.UTF_8.decode(frame(codec)).toString();
        }
        String t = texts.get(slot);
        if (t == null) {
            t = java.nio.charset.StandardCharsets.UTF_8.decode(frame(codec)).toString();
            texts.compareAndSet(slot, null, t);
            t = texts.get(slot);
        }
        return t;
    }

    @Override
    public String toString() {
        return type + "@" + position + " " + topic;
    }
}
