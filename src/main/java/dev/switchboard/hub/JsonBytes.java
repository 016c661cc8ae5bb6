package dev.switchboard.hub;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;

/**
 * A UTF-8 JSON writer for the shapes the owner thread encodes per change: maps with string keys,
 * collections, strings, longs, ints, finite doubles, booleans and null. It writes exactly the bytes
 * {@link Event#JSON} (Jackson) would (same escapes, same number forms; {@code JsonBytesTest} checks
 * this on random values) at a fraction of the cost: no serializer lookup, no generator, no body map.
 * Anything else (a record, a BigDecimal, a non-finite double, a lone surrogate) is handed to Jackson
 * for that value alone, so the output never depends on which path wrote it.
 */
final class JsonBytes {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};

    /** The scratch buffer's first size; one grown beyond {@link #SCRATCH_KEPT} is dropped after use. */
    static final int SCRATCH_BYTES = 8192;
    static final int SCRATCH_KEPT = 1 << 20;
    /** A scratch buffer kept by each platform thread (the owner encodes every event): grown once, reused for every event. */
    private static final ThreadLocal<JsonBytes> SCRATCH = ThreadLocal.withInitial(() -> new JsonBytes(SCRATCH_BYTES, true));

    private byte[] buf;
    private int len;
    private final boolean scratch;
    private boolean inUse;

    JsonBytes(int capacity) {
        this(capacity, false);
    }

    private JsonBytes(int capacity, boolean scratch) {
        this.buf = new byte[Math.max(16, capacity)];
        this.scratch = scratch;
    }

    /**
     * A writer for one value, {@link #toBytes} ending its use: the calling thread's scratch buffer
     * on a platform thread (no growing copies per event), a fresh one on a virtual thread or when
     * the scratch is in use.
     */
    static JsonBytes start(int capacity) {
        if (Thread.currentThread().isVirtual()) {
            return new JsonBytes(capacity);
        }
        JsonBytes j = SCRATCH.get();
        if (j.inUse) {
            return new JsonBytes(capacity);
        }
        j.inUse = true;
        j.len = 0;
        return j;
    }

    /** The JSON of {@code value}. */
    static byte[] encode(Object value) {
        return start(256).value(value).toBytes();
    }

    /** The bytes written; a scratch writer is free again afterwards. */
    byte[] toBytes() {
        byte[] out = Arrays.copyOf(buf, len);
        if (scratch) {
            inUse = false;
            if (buf.length > SCRATCH_KEPT) {
                buf = new byte[SCRATCH_BYTES]; // one huge event does not keep its buffer forever
            }
        }
        return out;
    }

    JsonBytes raw(char c) {
        ensure(1);
        buf[len++] = (byte) c;
        return this;
    }

    /** Writes {@code "name":}. */
    JsonBytes name(String name) {
        string(name);
        return raw(':');
    }

    JsonBytes value(Object v) {
        if (v == null) {
            bytes(NULL);
        } else if (v instanceof String s) {
            string(s);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            ascii(Long.toString(((Number) v).longValue()));
        } else if (v instanceof Double d) {
            if (Double.isFinite(d)) {
                ascii(Double.toString(d));
            } else {
                jackson(v);
            }
        } else if (v instanceof Boolean b) {
            bytes(b ? TRUE : FALSE);
        } else if (v instanceof Map<?, ?> m) {
            map(m);
        } else if (v instanceof Collection<?> c) {
            raw('[');
            boolean first = true;
            for (Object o : c) {
                if (!first) {
                    raw(',');
                }
                first = false;
                value(o);
            }
            raw(']');
        } else {
            jackson(v);
        }
        return this;
    }

    private void map(Map<?, ?> m) {
        for (Object k : m.keySet()) {
            if (!(k instanceof String)) {
                jackson(m); // Jackson's key serializers decide how a non-string key is written
                return;
            }
        }
        raw('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!first) {
                raw(',');
            }
            first = false;
            name((String) e.getKey());
            value(e.getValue());
        }
        raw('}');
    }

    private void jackson(Object v) {
        bytes(Event.JSON.writeValueAsBytes(v));
    }

    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): the low byte of each char, exact for ASCII
    private void string(String s) {
        int n = s.length();
        int start = len;
        // the leading run of plain ASCII (most values are nothing else) is copied in one step
        int plain = 0;
        while (plain < n) {
            char c = s.charAt(plain);
            if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') {
                break;
            }
            plain++;
        }
        ensure(n + 2);
        buf[len++] = '"';
        s.getBytes(0, plain, buf, len);
        len += plain;
        for (int i = plain; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                ensure(1);
                buf[len++] = (byte) c;
            } else if (c < 0x80) {
                escape(c);
            } else if (c < 0x800) {
                ensure(2);
                buf[len++] = (byte) (0xC0 | (c >> 6));
                buf[len++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i + 1 >= n || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    // a lone surrogate: Jackson's rule (an error) applies to the whole value
                    len = start;
                    jackson(s);
                    return;
                }
                int cp = Character.toCodePoint(c, s.charAt(++i));
                ensure(4);
                buf[len++] = (byte) (0xF0 | (cp >> 18));
                buf[len++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                buf[len++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                buf[len++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                ensure(3);
                buf[len++] = (byte) (0xE0 | (c >> 12));
                buf[len++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                buf[len++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        ensure(1);
        buf[len++] = '"';
    }

    private void escape(char c) {
        ensure(6);
        buf[len++] = '\\';
        switch (c) {
            case '"' -> buf[len++] = '"';
            case '\\' -> buf[len++] = '\\';
            case '\n' -> buf[len++] = 'n';
            case '\r' -> buf[len++] = 'r';
            case '\t' -> buf[len++] = 't';
            case '\b' -> buf[len++] = 'b';
            case '\f' -> buf[len++] = 'f';
            default -> {
                buf[len++] = 'u';
                buf[len++] = '0';
                buf[len++] = '0';
                buf[len++] = HEX[c >> 4];
                buf[len++] = HEX[c & 0xF];
            }
        }
    }

    private void ascii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) s.charAt(i);
        }
    }

    private void bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }
}
