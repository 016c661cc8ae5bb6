package dev.switchboard.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.change.Change;
import dev.switchboard.change.Op;
import dev.switchboard.change.Position;
import dev.switchboard.change.Row;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A change survives the trip through a message body exactly: value types, images, time, source. */
class ChangeCodecTest {
    private static final Instant T = Instant.parse("2026-12-02T10:00:00.123456Z");

    @Test
    void roundTrip_keepsEveryValueType() {
        Map<String, Object> before = new LinkedHashMap<>();
        before.put("id", "c-1");
        before.put("n", Long.MAX_VALUE);
        before.put("whole_double", 3.0);
        before.put("big_double", 1e20);
        before.put("nan", Double.NaN);
        before.put("inf", Double.NEGATIVE_INFINITY);
        before.put("flag", true);
        before.put("note", null);
        before.put("text", "ünïcødé \"quoted\" \n line");
        Map<String, Object> after = new LinkedHashMap<>(before);
        after.put("n", 7L);
        Change c = new Change(new Position("pgx1", 123456789L), "t1", "call_logs", Op.UPDATE, "c-1", Row.of(before), Row.of(after), T,
                new Change.Source(0xFFFF_FFF0L, 0x16_B374_D848L));

        ChangeCodec.Decoded d = ChangeCodec.decode(ChangeCodec.encode(c, true));

        assertThat(d.change()).isEqualTo(c);
        assertThat(d.lastOfTransaction()).isTrue();
        assertThat(d.change().before().raw("whole_double")).isInstanceOf(Double.class);
        assertThat(d.change().before().raw("n")).isInstanceOf(Long.class);
        assertThat((Double) d.change().before().raw("nan")).isNaN();
        assertThat(d.change().before().values()).containsKey("note");
    }

    @Test
    void roundTrip_createAndTruncate_keepMissingImages() {
        Change create = new Change(new Position("e", 1), "t1", "call_logs", Op.CREATE, "k", Row.NONE, Row.of(Map.of("id", "k")), T,
                new Change.Source(1, 2));
        Change truncate = new Change(new Position("e", 2), Change.ALL_TENANTS, "call_logs", Op.TRUNCATE, "", Row.NONE, Row.NONE, T,
                new Change.Source(1, 3));

        assertThat(ChangeCodec.decode(ChangeCodec.encode(create, false)).change()).isEqualTo(create);
        assertThat(ChangeCodec.decode(ChangeCodec.encode(create, false)).lastOfTransaction()).isFalse();
        assertThat(ChangeCodec.decode(ChangeCodec.encode(truncate, true)).change()).isEqualTo(truncate);
    }

    @Test
    void decode_notAChange_saysSo() {
        assertThatThrownBy(() -> ChangeCodec.decode("{\"x\":1}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("position");
        assertThatThrownBy(() -> ChangeCodec.decode("nope".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a change message");
    }
}
