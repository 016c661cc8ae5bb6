package dev.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The row size check skips writing a row out only when its bound says it is certainly small enough. */
class RowSizeBoundTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void theBound_isNeverBelowTheRowsSizeAsJson() {
        Random r = new Random(11);
        String[] texts = {"", "plain", "quote\" and \\ back", "tab\tnew\nline\u0001", "café", "日本語", "emoji \uD83D\uDE00", "x".repeat(500)};
        for (int i = 0; i < 5_000; i++) {
            JsonNode row = random(r, texts, 0);
            long exact = JSON.writeValueAsBytes(row).length;
            assertThat(Api.jsonBytesAtMost(row)).as(row.toString()).isGreaterThanOrEqualTo(exact);
        }
        JsonNode big = JSON.readTree("{\"n\":123456789012345678901234567890123456789012345678901234567890,\"d\":1.5e300,\"x\":-0.000001}");
        assertThat(Api.jsonBytesAtMost(big)).isGreaterThanOrEqualTo(JSON.writeValueAsBytes(big).length);
    }

    private static JsonNode random(Random r, String[] texts, int depth) {
        ObjectNode o = JSON.createObjectNode();
        int fields = r.nextInt(12);
        for (int f = 0; f < fields; f++) {
            String name = texts[r.nextInt(texts.length)] + f;
            switch (r.nextInt(depth < 2 ? 7 : 5)) {
                case 0 -> o.put(name, texts[r.nextInt(texts.length)]);
                case 1 -> o.put(name, r.nextLong());
                case 2 -> o.put(name, r.nextDouble() * Math.pow(10, r.nextInt(40) - 20));
                case 3 -> o.put(name, r.nextBoolean());
                case 4 -> o.putNull(name);
                case 5 -> o.set(name, random(r, texts, depth + 1));
                default -> {
                    ArrayNode a = o.putArray(name);
                    for (int k = r.nextInt(4); k > 0; k--) {
                        a.add(random(r, texts, depth + 1));
                    }
                }
            }
        }
        return o;
    }
}
