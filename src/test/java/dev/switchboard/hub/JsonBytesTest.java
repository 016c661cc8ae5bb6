package dev.switchboard.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link JsonBytes} writes exactly the bytes Jackson writes, for random values of every shape. */
class JsonBytesTest {
    record Point(String label, long n) {}

    @Test
    void randomValues_encodeByteForByteAsJackson() {
        Random r = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            Object v = value(r, 0);
            String jackson = new String(Event.JSON.writeValueAsBytes(v), StandardCharsets.UTF_8);
            String ours = new String(JsonBytes.encode(v), StandardCharsets.UTF_8);
            assertEquals(jackson, ours, "value #" + i);
        }
    }

    @Test
    void theReusedScratchBuffer_givesEachValueItsOwnBytes_alsoAfterAHugeOne() throws Exception {
        byte[] small = JsonBytes.encode(java.util.Map.of("a", 1L));
        String huge = "x".repeat(JsonBytes.SCRATCH_KEPT + 10);
        byte[] big = JsonBytes.encode(java.util.Map.of("big", huge));
        byte[] after = JsonBytes.encode(List.of("b", 2L));
        assertThat(new String(small, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
        assertThat(big).hasSize(huge.length() + 10);
        assertThat(new String(after, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("[\"b\",2]");
        // a writer started while another is open on the same thread gets a buffer of its own
        JsonBytes outer = JsonBytes.start(16).raw('[');
        byte[] inner = JsonBytes.encode("in");
        assertThat(new String(outer.raw(']').toBytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("[]");
        assertThat(new String(inner, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("\"in\"");
        // on a virtual thread no scratch is kept
        byte[][] v = new byte[1][];
        Thread.ofVirtual().start(() -> v[0] = JsonBytes.encode(java.util.Map.of("v", true))).join();
        assertThat(new String(v[0], java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("{\"v\":true}");
    }

    @Test
    void edgeCases_encodeAsJackson() {
        List<Object> cases = new ArrayList<>();
        cases.add("");
        cases.add("\u0000\u001f\u007f\"\\/\n\r\t\b\f");
        cases.add("é€😀\u2028\uffff");
        cases.add("lone \ud83d high");
        cases.add("lone \ude00 low");
        cases.add(Double.NaN);
        cases.add(Double.POSITIVE_INFINITY);
        cases.add(-0.0d);
        cases.add(1e-7d);
        cases.add(1e21d);
        cases.add(Double.MIN_VALUE);
        cases.add(Long.MIN_VALUE);
        cases.add(new BigDecimal("1.50"));
        cases.add(Instant.parse("2026-12-02T10:00:00Z"));
        cases.add(new Point("p", 3));
        cases.add(Map.of(1, "integer key"));
        cases.add(List.of(List.of(), Map.of()));
        for (Object v : cases) {
            Map<String, Object> wrapped = new LinkedHashMap<>();
            wrapped.put("k", v);
            for (Object o : List.of(v, wrapped, List.of(v, "after"))) {
                assertEquals(new String(Event.JSON.writeValueAsBytes(o), StandardCharsets.UTF_8),
                        new String(JsonBytes.encode(o), StandardCharsets.UTF_8), String.valueOf(o));
            }
        }
    }

    private static Object value(Random r, int depth) {
        int kind = r.nextInt(depth > 3 ? 7 : 9);
        return switch (kind) {
            case 0 -> null;
            case 1 -> text(r);
            case 2 -> r.nextLong() >> r.nextInt(64);
            case 3 -> r.nextInt(4) == 0 ? Double.longBitsToDouble(r.nextLong()) : Math.round(r.nextDouble() * 1e6) / 100.0;
            case 4 -> r.nextBoolean();
            case 5 -> r.nextInt(1000);
            case 6 -> text(r);
            case 7 -> {
                Map<String, Object> m = new LinkedHashMap<>();
                int n = r.nextInt(6);
                for (int i = 0; i < n; i++) {
                    m.put(text(r), value(r, depth + 1));
                }
                yield m;
            }
            default -> {
                List<Object> l = new ArrayList<>();
                int n = r.nextInt(6);
                for (int i = 0; i < n; i++) {
                    l.add(value(r, depth + 1));
                }
                yield l;
            }
        };
    }

    private static String text(Random r) {
        StringBuilder b = new StringBuilder();
        int n = r.nextInt(12);
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(6)) {
                case 0 -> b.append((char) r.nextInt(0x20));
                case 1 -> b.append((char) (0x80 + r.nextInt(0x780)));
                case 2 -> b.append((char) (0x800 + r.nextInt(0xD000)));
                case 3 -> b.appendCodePoint(0x10000 + r.nextInt(0xFFFFF));
                case 4 -> b.append("\"\\/".charAt(r.nextInt(3)));
                default -> b.append((char) (0x20 + r.nextInt(0x60)));
            }
        }
        return b.toString();
    }
}
