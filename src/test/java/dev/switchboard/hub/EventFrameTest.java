package dev.switchboard.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.change.Position;
import dev.switchboard.push.SseSession;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventFrameTest {
    @Test
    void frame_isEncodedOncePerCodec_andSharedByEveryWriter() {
        int[] calls = {0};
        Codec counting = new Codec() {
            public int slot() {
                return 1;
            }

            public java.nio.ByteBuffer encode(Event e) {
                calls[0]++;
                return java.nio.ByteBuffer.wrap(e.json());
            }
        };
        Event e = Hub.event("change", "data/t/d", new Position("e", 1), Map.of("a", 1));
        for (int i = 0; i < 1000; i++) {
            e.frame(counting);
        }
        assertThat(calls[0]).isEqualTo(1);
    }

    @Test
    void ephemeralEvents_carryNoId_soTheyCannotCorruptLastEventId() {
        Event e = Event.ephemeral("notice", "system", new Position("e", 7), Map.of("m", "x"));
        String sse = StandardCharsets.UTF_8.decode(e.frame(SseSession.CODEC)).toString();
        assertThat(sse).startsWith("event: notice\n").doesNotContain("id:");
        Event c = Hub.event("change", "data/t/d", new Position("e", 7), Map.of());
        assertThat(StandardCharsets.UTF_8.decode(c.frame(SseSession.CODEC)).toString()).startsWith("id: e-7\n");
    }
}
