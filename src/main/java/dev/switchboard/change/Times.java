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
        return CANONICAL.format(t);
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
        // the common form (ISO-8601 in UTC, with any fraction of a second) without the lenient parser
        if (s.charAt(s.length() - 1) == 'Z' && s.charAt(10) == 'T') {
            try {
                return Optional.of(Instant.parse(s));
            } catch (DateTimeParseException ignored) {
                // fall through to the lenient parser
            }
        }
        try {
            var parsed = LENIENT.parseBest(s.trim(), OffsetDateTime::from, LocalDateTime::from);
            return Optional.of(parsed instanceof OffsetDateTime o ? o.toInstant() : ((LocalDateTime) parsed).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
