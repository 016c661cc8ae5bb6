package dev.switchboard.change;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Optional;

/**
 * Timestamps as stored: Switchboard writes ISO-8601 UTC with milliseconds
 * ({@code 2025-10-30T12:34:56.000Z}), which sorts as text; it reads what other writers leave too
 * ({@code 2025-10-30 12:34:56}, offsets, PostgreSQL's {@code +00}, epoch milliseconds).
 */
public final class Times {
    private static final DateTimeFormatter CANONICAL =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter LENIENT = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd")
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .appendPattern("HH:mm")
            .optionalStart().appendPattern(":ss").optionalEnd()
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HH", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .toFormatter();

    private Times() {}

    /** The canonical stored form of an instant. */
    public static String format(Instant t) {
        long seconds = t.getEpochSecond();
        // years 0001-9999 by hand (the capture and the views format and parse a time per change;
        // DateTimeFormatter is most of that cost); anything else through the formatter
        if (seconds < MIN_FAST_SECOND || seconds > MAX_FAST_SECOND) {
            return CANONICAL.format(t);
        }
        LocalDateTime d = LocalDateTime.ofEpochSecond(seconds, t.getNano(), ZoneOffset.UTC);
        char[] c = "0000-00-00T00:00:00.000Z".toCharArray();
        digits(c, 0, d.getYear(), 4);
        digits(c, 5, d.getMonthValue(), 2);
        digits(c, 8, d.getDayOfMonth(), 2);
        digits(c, 11, d.getHour(), 2);
        digits(c, 14, d.getMinute(), 2);
        digits(c, 17, d.getSecond(), 2);
        digits(c, 20, d.getNano() / 1_000_000, 3);
        return new String(c);
    }

    private static final long MIN_FAST_SECOND = LocalDateTime.of(1, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);
    private static final long MAX_FAST_SECOND = LocalDateTime.of(9999, 12, 31, 23, 59, 59).toEpochSecond(ZoneOffset.UTC);

    private static void digits(char[] c, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /** Reads a stored time leniently; a zone-less value is UTC. Empty when it is not a time. */
    public static Optional<Instant> parse(Object v) {
        if (v instanceof Instant i) {
            return Optional.of(i);
        }
        if (v instanceof Number n) {
            return Optional.of(Instant.ofEpochMilli(n.longValue()));
        }
        if (!(v instanceof String s) || s.length() < 10) {
            return Optional.empty();
        }
        // the common forms (ours, ISO-8601 with an offset, PostgreSQL's text output) by hand; the
        // lenient parser decides everything else, including what the fast path rejects
        Instant fast = fastParse(s);
        if (fast != null) {
            return Optional.of(fast);
        }
        return lenient(s);
    }

    /** The general parser, the reference the fast path must agree with. */
    static Optional<Instant> lenient(String s) {
        try {
            var parsed = LENIENT.parseBest(s.trim(), OffsetDateTime::from, LocalDateTime::from);
            return Optional.of(parsed instanceof OffsetDateTime o ? o.toInstant() : ((LocalDateTime) parsed).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** The formatter's canonical form, the reference the hand-written {@link #format} must agree with. */
    static String formatted(Instant t) {
        return CANONICAL.format(t);
    }

    /**
     * {@code yyyy-MM-dd[T ]HH:mm[:ss[.f{1,9}]][Z|±HH|±HH:MM]} with valid fields, or null
     * (then the lenient parser decides: it also reads what this rejects, e.g. surrounding blanks).
     */
    static Instant fastParse(String s) {
        int n = s.length();
        if (n < 16 || s.charAt(4) != '-' || s.charAt(7) != '-' || (s.charAt(10) != 'T' && s.charAt(10) != ' ') || s.charAt(13) != ':') {
            return null;
        }
        int year = num(s, 0, 4);
        int month = num(s, 5, 2);
        int day = num(s, 8, 2);
        int hour = num(s, 11, 2);
        int minute = num(s, 14, 2);
        if ((year | month | day | hour | minute) < 0) {
            return null;
        }
        int i = 16;
        int second = 0;
        int nano = 0;
        if (i < n && s.charAt(i) == ':') {
            second = num(s, i + 1, 2);
            if (second < 0) {
                return null;
            }
            i += 3;
            if (i < n && s.charAt(i) == '.') {
                int start = ++i;
                while (i < n && i - start < 9 && Character.isDigit(s.charAt(i))) {
                    nano = nano * 10 + (s.charAt(i++) - '0');
                }
                if (i == start) {
                    return null;
                }
                for (int k = i - start; k < 9; k++) {
                    nano *= 10;
                }
            }
        }
        int offsetSeconds = 0;
        if (i < n) {
            char sign = s.charAt(i);
            int left = n - i - 1;
            if (sign == 'Z' && left == 0) {
                offsetSeconds = 0;
            } else if ((sign == '+' || sign == '-') && (left == 2 || left == 5 && s.charAt(i + 3) == ':')) {
                int oh = num(s, i + 1, 2);
                int om = left == 2 ? 0 : num(s, n - 2, 2);
                if (oh < 0 || om < 0 || oh > 18 || om > 59) {
                    return null;
                }
                offsetSeconds = (sign == '-' ? -1 : 1) * (oh * 3600 + om * 60);
            } else {
                return null;
            }
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, nano).toInstant(ZoneOffset.ofTotalSeconds(offsetSeconds));
        } catch (java.time.DateTimeException e) {
            return null; // e.g. February 30th: the lenient parser's rules apply
        }
    }

    /** The decimal number in {@code s[at, at+width)}, or -1 when a character there is not a digit. */
    private static int num(String s, int at, int width) {
        if (at + width > s.length()) {
            return -1;
        }
        int v = 0;
        for (int i = at; i < at + width; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
