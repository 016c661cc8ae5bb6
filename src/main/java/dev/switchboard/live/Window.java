package dev.switchboard.live;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAdjusters;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The slice of time a widget covers, as a half-open interval {@code [lower, upper)} of epoch
 * milliseconds that depends on now. Both bounds only move forward as time passes (or stand still,
 * for a {@link Kind#FIXED} range), which is what lets a row set expire rows at the lower bound and
 * admit them at the upper one incrementally.
 *
 * <p>A window's {@link #previous()} is the period of equal length just before it: {@code [now-2s,
 * now-s)} for a trailing {@code s}, yesterday for today, last week and last month for the calendar
 * windows, {@code [a-(b-a), a)} for a fixed {@code [a, b)}. Its bounds move as the window's do.
 *
 * @param from the fixed range's inclusive start (epoch ms); 0 for other kinds
 * @param to   the fixed range's exclusive end (epoch ms); 0 for other kinds
 * @param before whether this is the period before the one {@code spec} names
 */
record Window(String spec, Kind kind, Duration span, long from, long to, boolean before) {
    static final Window NONE = new Window("", Kind.NONE, Duration.ZERO, 0, 0, false);
    private static final Pattern TRAILING = Pattern.compile("(\\d+)([smhdw])");
    /** A custom range: two ISO-8601 instants joined by {@code ..}, e.g. {@code 2026-11-01T00:00:00Z..2026-11-08T00:00:00Z}. */
    static final String RANGE_SEPARATOR = "..";

    enum Kind { NONE, TRAILING, TODAY, THIS_WEEK, THIS_MONTH, UPCOMING, PAST, FIXED }

    Window(String spec, Kind kind, Duration span) {
        this(spec, kind, span, 0, 0, false);
    }

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
                if (s.contains(RANGE_SEPARATOR)) {
                    return fixed(s, where);
                }
                Matcher m = TRAILING.matcher(s);
                if (!m.matches()) {
                    throw new IllegalArgumentException(where + ": unknown window '" + spec
                            + "' (expected e.g. 15m, 24h, 7d, today, this_week, this_month, upcoming, past,"
                            + " or from..to as ISO-8601 instants)");
                }
                Duration span = duration(Long.parseLong(m.group(1)), m.group(2));
                if (span.isZero()) {
                    throw new IllegalArgumentException(where + ": window '" + spec + "' is empty");
                }
                return new Window(s, Kind.TRAILING, span);
            }
        }
    }

    /** {@code from..to}: a range whose bounds never move. */
    private static Window fixed(String s, String where) {
        int i = s.indexOf(RANGE_SEPARATOR);
        Instant from;
        Instant to;
        try {
            from = Instant.parse(s.substring(0, i).trim());
            to = Instant.parse(s.substring(i + RANGE_SEPARATOR.length()).trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(where + ": range '" + s + "' must be two ISO-8601 instants joined by '..',"
                    + " e.g. 2026-11-01T00:00:00Z..2026-11-08T00:00:00Z");
        }
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException(where + ": range '" + s + "' must start before it ends");
        }
        long a = from.toEpochMilli();
        long b = to.toEpochMilli();
        return new Window(Instant.ofEpochMilli(a) + RANGE_SEPARATOR + Instant.ofEpochMilli(b), Kind.FIXED, Duration.ofMillis(b - a), a, b, false);
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

    /** Whether the bounds never move: rows at or after the upper bound never become members. */
    boolean fixed() {
        return kind == Kind.FIXED;
    }

    /** Whether the window has a period before it of the same length (open-ended windows do not). */
    boolean hasPrevious() {
        return !before && switch (kind) {
            case TRAILING, TODAY, THIS_WEEK, THIS_MONTH, FIXED -> true;
            case NONE, UPCOMING, PAST -> false;
        };
    }

    /** The period of equal length just before this one; its share key differs from this window's. */
    Window previous() {
        if (!hasPrevious()) {
            throw new IllegalStateException("window '" + spec + "' has no previous period");
        }
        return new Window(spec, kind, span, from, to, true);
    }

    /** Names the window among those a view's row sets share (the previous period is another window). */
    String shareKey() {
        return before ? spec + "@previous" : spec;
    }

    /** Inclusive lower bound at {@code now}; {@link Long#MIN_VALUE} when unbounded. */
    long lower(long now, ZoneId zone) {
        if (before) {
            return switch (kind) {
                case TRAILING -> now - 2 * span.toMillis();
                case TODAY -> start(day(now, zone).minusDays(1), zone);
                case THIS_WEEK -> start(monday(now, zone).minusWeeks(1), zone);
                case THIS_MONTH -> start(day(now, zone).withDayOfMonth(1).minusMonths(1), zone);
                case FIXED -> from - (to - from);
                default -> throw new IllegalStateException("no previous period of " + kind);
            };
        }
        return switch (kind) {
            case NONE, PAST -> Long.MIN_VALUE;
            case TRAILING -> now - span.toMillis();
            case UPCOMING -> now;
            case TODAY -> start(day(now, zone), zone);
            case THIS_WEEK -> start(monday(now, zone), zone);
            case THIS_MONTH -> start(day(now, zone).withDayOfMonth(1), zone);
            case FIXED -> from;
        };
    }

    /** Exclusive upper bound at {@code now}; {@link Long#MAX_VALUE} when unbounded. */
    long upper(long now, ZoneId zone) {
        if (before) {
            return switch (kind) {
                case TRAILING -> now - span.toMillis();
                case FIXED -> from;
                // the previous calendar period ends where the current one starts
                default -> new Window(spec, kind, span).lower(now, zone);
            };
        }
        return switch (kind) {
            case NONE, TRAILING, UPCOMING -> Long.MAX_VALUE;
            case PAST -> now;
            case TODAY -> start(day(now, zone).plusDays(1), zone);
            case THIS_WEEK -> start(monday(now, zone).plusWeeks(1), zone);
            case THIS_MONTH -> start(day(now, zone).withDayOfMonth(1).plusMonths(1), zone);
            case FIXED -> to;
        };
    }

    private static long start(LocalDate day, ZoneId zone) {
        return day.atStartOfDay(zone).toInstant().toEpochMilli();
    }

    private static LocalDate monday(long now, ZoneId zone) {
        return day(now, zone).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
    }

    private static LocalDate day(long now, ZoneId zone) {
        return Instant.ofEpochMilli(now).atZone(zone).toLocalDate();
    }
}
