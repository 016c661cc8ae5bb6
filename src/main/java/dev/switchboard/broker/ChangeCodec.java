package dev.switchboard.broker;

import dev.switchboard.change.Change;
import dev.switchboard.change.Op;
import dev.switchboard.change.Position;
import dev.switchboard.change.Row;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A change as a JetStream message body: compact JSON that keeps every row value's type (String,
 * Long, Double including NaN and the infinities, Boolean, null), the commit time to the
 * microsecond, the source transaction, and whether the change is the last of its transaction
 * (so an edge can tell when a transaction it waits for is complete).
 *
 * <pre>{"p":"pgx-123","t":"t1","d":"call_logs","o":"u","k":"c-1","b":{...},"a":{...},
 *  "ts":"2026-12-02T10:00:00.123456Z","x":812,"l":23458910,"e":1}</pre>
 */
final class ChangeCodec {
    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    /** A decoded message: the change and whether it ends its transaction. */
    record Decoded(Change change, boolean lastOfTransaction) {}

    private ChangeCodec() {}

    static byte[] encode(Change c, boolean lastOfTransaction) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("p", c.position().toString());
        m.put("t", c.tenant());
        m.put("d", c.dataset());
        m.put("o", c.op().code());
        m.put("k", c.key());
        if (c.before().present()) {
            m.put("b", c.before().values());
        }
        if (c.after().present()) {
            m.put("a", c.after().values());
        }
        m.put("ts", c.commitTime().toString());
        m.put("x", c.source().xid());
        m.put("l", c.source().commitLsn());
        if (lastOfTransaction) {
            m.put("e", 1);
        }
        return JSON.writeValueAsBytes(m);
    }

    /** Decodes a body; an {@link IllegalArgumentException} says what is wrong with it. */
    static Decoded decode(byte[] body) {
        JsonNode n;
        try {
            n = JSON.readTree(body);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a change message: " + e.getMessage(), e);
        }
        Position p = Position.parse(n.path("p").asString("")).orElseThrow(
                () -> new IllegalArgumentException("change message without a position: " + n.path("p")));
        Change c = new Change(p, n.path("t").asString(), n.path("d").asString(), Op.parse(n.path("o").asString()),
                n.path("k").asString(), row(n.get("b")), row(n.get("a")), Instant.parse(n.path("ts").asString()),
                new Change.Source(n.path("x").asLong(), n.path("l").asLong()));
        return new Decoded(c, n.path("e").asInt(0) == 1);
    }

    private static Row row(JsonNode n) {
        if (n == null || !n.isObject()) {
            return Row.NONE;
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            values.put(e.getKey(), value(e.getValue()));
        }
        return Row.of(values);
    }

    private static Object value(JsonNode v) {
        if (v.isNull()) {
            return null;
        }
        if (v.isIntegralNumber()) {
            return v.longValue();
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isString()) {
            return v.stringValue();
        }
        return v.toString(); // not written by encode; kept as its JSON text
    }
}
