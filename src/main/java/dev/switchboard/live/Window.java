package dev.switchboard.live;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The slice of time a widget covers, as a half-open interval {@code [lower, upper)} of epoch
 * milliseconds that depends on now. Both bounds only move forward as time passes, which is what
 * lets a row set expire rows at the lower bound and admit them at the upper one incrementally.
 */
record Window(String spec, Kind kind, Duration span) {
    static final Window NONE = new Window("", Kind.NONE, Duration.ZERO);
    private static final Pattern TRAILING = Pattern.compile("(\\d+)([smhdw])");

    enum Kind { NONE, TRAILING, TODAY, THIS_WEEK, THIS_MONTH, UPCOMING, PAST }

    static Window parse(String spec, String where) {
        String s = spec.trim();
        switch (s) {
            case "", "all" -> {
                return NONE;
            }
            case "today" -> {
                return new Window(s, Kind.TODAY, Duration.ofDays(1));
            }
            case "this_week" -> {
                return new Window(s, Kind.THIS_WEEK, Duration.ofDays(7));
            }
            case "this_month" -> {
                return new Window(s, Kind.THIS_MONTH, Duration.ofDays(31));
            }
            case "upcoming" -> {
                return new Window(s, Kind.UPCOMING, Duration.ZERO);
            }
            case "past" -> {
                return new Window(s, Kind.PAST, Duration.ZERO);
            }
            default -> {
                Matcher m = TRAILING.matcher(s);
                if (!m.matches()) {
                    throw new IllegalArgumentException(where + ": unknown window '" + spec
                            + "' (expected e.g. 15m, 24h, 7d, today, this_week, this_month, upcoming, past)");
                }
                Duration span = duration(Long.parseLong(m.group(1)), m.group(2));
                if (span.isZero()) {
                    throw new IllegalArgumentException(where + ": window '" + spec + "' is empty");
                }
                return new Window(s, Kind.TRAILING, span);
            }
        }
    }

    static Duration duration(long n, String unit) {
        return switch (unit) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
    }

    boolean isNone() {
        return kind == Kind.NONE;
    }

    /** Inclusive lower bound at {@code now}; {@link Long#MIN_VALUE} when unbounded. */
    long lower(long now, ZoneId zone) {
        return switch (kind) {
            case NONE, PAST -> Long.MIN_VALUE;
            case TRAILING -> now - span.toMillis();
            case UPCOMING -> now;
            case TODAY -> day(now, zone).atStartOfDay(zone).toInstant().toEpochMilli();
            case THIS_WEEK -> day(now, zone).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
                    .atStartOfDay(zone).toInstant().toEpochMilli();
            case THIS_MONTH -> day(now, zone).withDayOfMonth(1).atStartOfDay(zone).toInstant().toEpochMilli();
        };
    }

    /** Exclusive upper bound at {@code now}; {@link Long#MAX_VALUE} when unbounded. */
    long upper(long now, ZoneId zone) {
        return switch (kind) {
            case NONE, TRAILING, UPCOMING -> Long.MAX_VALUE;
            case PAST -> now;
            case TODAY -> day(now, zone).plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
            case THIS_WEEK -> day(now, zone).with(TemporalAdjusters.next(DayOfWeek.MONDAY))
                    .atStartOfDay(zone).toInstant().toEpochMilli();
            case THIS_MONTH -> day(now, zone).withDayOfMonth(1).plusMonths(1).atStartOfDay(zone).toInstant().toEpochMilli();
        };
    }

    private static LocalDate day(long now, ZoneId zone) {
        return Instant.ofEpochMilli(now).atZone(zone).toLocalDate();
    }
}
