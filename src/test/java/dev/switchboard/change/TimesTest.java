package dev.switchboard.change;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hand-written fast paths of {@link Times} (added for the capture's per-change cost) must
 * agree with the formatter-based reference on every input: same instant, same emptiness.
 */
class TimesTest {
    private static final Random RANDOM = new Random(11);

    @Test
    void format_agreesWithTheFormatter_forRandomInstants() {
        for (int i = 0; i < 20_000; i++) {
            Instant t = Instant.ofEpochSecond(RANDOM.nextLong(-70_000_000_000L, 260_000_000_000L), RANDOM.nextInt(1_000_000_000));
            assertThat(Times.format(t)).as("%s", t).isEqualTo(Times.formatted(t));
        }
        assertThat(Times.format(Instant.parse("0001-01-01T00:00:00Z"))).isEqualTo("0001-01-01T00:00:00.000Z");
        assertThat(Times.format(Instant.parse("0000-06-01T00:00:00Z"))).isEqualTo(Times.formatted(Instant.parse("0000-06-01T00:00:00Z")));
        assertThat(Times.format(Instant.parse("9999-12-31T23:59:59.999999999Z"))).isEqualTo("9999-12-31T23:59:59.999Z");
        assertThat(Times.format(Instant.parse("+10000-01-01T00:00:00Z"))).isEqualTo(Times.formatted(Instant.parse("+10000-01-01T00:00:00Z")));
    }

    @Test
    void parse_agreesWithTheLenientParser_forEveryShapeWeRead() {
        String[] separators = {"T", " "};
        String[] offsets = {"", "Z", "+00", "+02", "-05", "+05:30", "-0930", "+00:00", "+1800", "-18"};
        for (int i = 0; i < 20_000; i++) {
            LocalDateTime d = LocalDateTime.ofEpochSecond(RANDOM.nextLong(-1_000_000_000L, 4_000_000_000L), 0, ZoneOffset.UTC);
            int digits = RANDOM.nextInt(11) - 1; // -1: no seconds; 0: no fraction; 1..9: fraction digits
            StringBuilder s = new StringBuilder(String.format("%04d-%02d-%02d%s%02d:%02d", d.getYear(), d.getMonthValue(), d.getDayOfMonth(),
                    separators[RANDOM.nextInt(2)], d.getHour(), d.getMinute()));
            if (digits >= 0) {
                s.append(String.format(":%02d", d.getSecond()));
            }
            if (digits > 0) {
                s.append('.');
                for (int k = 0; k < digits; k++) {
                    s.append((char) ('0' + RANDOM.nextInt(10)));
                }
            }
            s.append(offsets[RANDOM.nextInt(offsets.length)]);
            assertAgrees(s.toString());
        }
    }

    @Test
    void parse_agreesWithTheLenientParser_onOddAndInvalidInput() {
        for (String s : List.of("2025-02-30 10:00:00", "2025-02-29T10:00", "2024-02-29T10:00Z", "2025-10-30T24:00:00Z",
                "2025-10-30T12:60:00Z", "2025-10-30T12:34:60Z", " 2025-10-30T12:34:56Z", "2025-10-30T12:34:56Z ",
                "2025-10-30T12:34:56.1234567890Z", "2025-10-30T12:34:56.Z", "2025-10-30T12:34:56+1", "2025-10-30T12:34:56+19",
                "2025-10-30T12:34:56+05:3", "2025-10-30T12:34:56+05:60", "2025-13-01T00:00:00Z", "2025-00-10T00:00:00Z",
                "2025-10-30", "2025-10-30T12", "2025-10-30T1a:34:56Z", "20251030T123456Z", "infinity", "-infinity",
                "2025-10-30T12:34:56.000Z", "2025-10-30 12:34:56.123456+00", "abcd-ef-ghTij:kl")) {
            assertAgrees(s);
        }
    }

    @Test
    void fastParse_readsPostgresTextOutput() {
        assertThat(Times.fastParse("2026-12-02 07:05:29.123456+00")).isEqualTo(Instant.parse("2026-12-02T07:05:29.123456Z"));
        assertThat(Times.fastParse("2026-12-02 07:05:29+05:30")).isEqualTo(Instant.parse("2026-12-02T01:35:29Z"));
        assertThat(Times.fastParse("2026-12-02 07:05:29 BC")).isNull();
    }

    private static void assertAgrees(String s) {
        Optional<Instant> expected = Times.lenient(s);
        assertThat(Times.parse(s)).as("parse(%s)", s).isEqualTo(expected);
        Instant fast = Times.fastParse(s);
        if (fast != null) {
            assertThat(Optional.of(fast)).as("fastParse(%s)", s).isEqualTo(expected);
        }
    }
}
