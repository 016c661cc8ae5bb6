package dev.switchboard.dataset;

import dev.switchboard.change.Times;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Turns client JSON rows into typed column maps, or into the list of everything wrong with them.
 * Times are normalized to the canonical stored form; JSON columns are stored as their text.
 */
public final class RowValidator {
    /**
     * The one rule for row keys, shared by ingest and {@code DELETE /api/ingest/.../{key}}: 1-128
     * letters, digits or {@code _ . : @ -}, starting with a letter or digit. A key outside it could
     * be written but not addressed in a URL (empty, NUL, quotes, spaces, slashes).
     */
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}");
    private static final Instant FIRST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LAST = Instant.parse("9999-12-31T23:59:59.999Z");
    private static final Pattern CLOCK = Pattern.compile("\\d{4}-\\d{2}-\\d{2}[T ](\\d{2}):(\\d{2})(?::(\\d{2}))?.*");

    private RowValidator() {}

    /** Why {@code key} cannot be a row key, or empty when it can. */
    public static Optional<String> keyProblem(String key) {
        if (KEY.matcher(key).matches()) {
            return Optional.empty();
        }
        String shown = key.length() > 40 ? key.substring(0, 40) + "..." : key;
        return Optional.of("key \"" + shown.replace("\u0000", "\\u0000") + "\" must be 1-128 letters, digits or _ . : @ - "
                + "(starting with a letter or digit), so that it can be addressed in a URL");
    }

    /** One problem with one field of one row, phrased for the person who sent it. */
    public record Problem(int row, String field, String message) {}

    /** The typed rows (in order), or the problems; never both. */
    public record Result(List<Map<String, Object>> rows, List<Problem> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /**
     * Validates rows for {@code tenant}. The tenant column may be omitted (it is filled in) but
     * must not name another tenant. Required columns are checked by the store on insert, since
     * a partial row is a valid update of an existing one.
     */
    public static Result validate(Dataset dataset, String tenant, List<JsonNode> input) {
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (int i = 0; i < input.size(); i++) {
            JsonNode node = input.get(i);
            if (!node.isObject()) {
                problems.add(new Problem(i, "", "each row must be a JSON object, got " + node.getNodeType().name().toLowerCase()));
                continue;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            for (var e : node.properties()) {
                String field = e.getKey();
                var column = dataset.column(field);
                if (column.isEmpty()) {
                    problems.add(new Problem(i, field, "unknown column; " + dataset.name() + " has " + String.join(", ", dataset.columnNames())));
                    continue;
                }
                try {
                    row.put(field, convert(column.get(), e.getValue()));
                } catch (IllegalArgumentException ex) {
                    problems.add(new Problem(i, field, ex.getMessage()));
                }
            }
            Object key = row.get(dataset.key());
            if (key == null) {
                problems.add(new Problem(i, dataset.key(), "is required (the row's key)"));
            } else {
                Optional<String> bad = keyProblem(String.valueOf(key));
                if (bad.isPresent()) {
                    problems.add(new Problem(i, dataset.key(), bad.get()));
                }
            }
            Object rowTenant = row.get(dataset.tenant());
            if (rowTenant != null && !rowTenant.equals(tenant)) {
                problems.add(new Problem(i, dataset.tenant(), "is '" + rowTenant + "' but the request is for tenant '" + tenant + "'"));
            }
            row.put(dataset.tenant(), tenant);
            rows.add(row);
        }
        return problems.isEmpty() ? new Result(rows, List.of()) : new Result(List.of(), problems);
    }

    /** Converts one JSON value to the column's stored Java type; JSON null stays null. */
    static Object convert(Column c, JsonNode v) {
        if (v.isNull()) {
            if (c.required()) {
                throw new IllegalArgumentException("must not be null");
            }
            return null;
        }
        return switch (c.type()) {
            case TEXT -> text(c, v);
            case INTEGER -> {
                if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                    throw new IllegalArgumentException("must be an integer, got " + describe(v));
                }
                yield inRange(c, v.asLong());
            }
            case NUMBER -> {
                if (!v.isNumber()) {
                    throw new IllegalArgumentException("must be a number, got " + describe(v));
                }
                double d = v.asDouble();
                if (!Double.isFinite(d)) {
                    throw new IllegalArgumentException("is " + describe(v) + ", which is out of range for a number "
                            + "(finite double-precision values only)");
                }
                yield inRange(c, d);
            }
            case BOOLEAN -> {
                if (!v.isBoolean()) {
                    throw new IllegalArgumentException("must be true or false, got " + describe(v));
                }
                yield v.asBoolean();
            }
            case TIME -> {
                if (!v.isString()) {
                    throw new IllegalArgumentException("must be an ISO-8601 time string like 2025-10-30T12:34:56Z, got " + describe(v));
                }
                yield time(v.asString());
            }
            case JSON -> {
                if (!finite(v)) {
                    throw new IllegalArgumentException("holds a number out of range (finite double-precision values only)");
                }
                yield v.toString();
            }
        };
    }

    /**
     * A time as stored: a real calendar date and clock time (no February 30 or 24:00, which lenient
     * parsers roll over), between years 1 and 9999 in UTC.
     */
    private static String time(String s) {
        // the refusal is built only when needed: every time of every row passes here (a 5,000-row
        // batch has thousands), and an exception's stack trace costs more than the parse
        java.util.function.Supplier<IllegalArgumentException> bad = () -> new IllegalArgumentException(
                "must be an ISO-8601 time like 2025-10-30T12:34:56Z, got \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"");
        Instant t = Times.parse(s).orElseThrow(bad);
        String trimmed = s.trim();
        var clock = CLOCK.matcher(trimmed);
        if (!clock.matches()) {
            throw bad.get();
        }
        String date = trimmed.substring(0, 10); // four digits, '-', two, '-', two: the CLOCK pattern matched
        try {
            // by its numbers: a formatter per time of every row of a batch was a tenth of ingest's CPU
            LocalDate.of(Integer.parseInt(date, 0, 4, 10), Integer.parseInt(date, 5, 7, 10), Integer.parseInt(date, 8, 10, 10));
        } catch (java.time.DateTimeException | NumberFormatException e) {
            throw new IllegalArgumentException("is \"" + date + "\", which is not a calendar date");
        }
        if (Integer.parseInt(clock.group(1)) > 23 || Integer.parseInt(clock.group(2)) > 59
                || (clock.group(3) != null && Integer.parseInt(clock.group(3)) > 59)) {
            throw new IllegalArgumentException("has the clock time " + trimmed.substring(11, clock.group(3) == null ? 16 : 19)
                    + ", which is not a time of day (00:00:00 to 23:59:59)");
        }
        if (t.isBefore(FIRST) || t.isAfter(LAST)) {
            throw new IllegalArgumentException("is " + s + "; times must fall between years 0001 and 9999 (UTC)");
        }
        return Times.format(t);
    }

    private static boolean finite(JsonNode v) {
        if (v.isNumber()) {
            return !v.isFloatingPointNumber() || Double.isFinite(v.asDouble());
        }
        for (JsonNode child : v) {
            if (!finite(child)) {
                return false;
            }
        }
        return true;
    }

    private static String text(Column c, JsonNode v) {
        if (!v.isString()) {
            throw new IllegalArgumentException("must be a string, got " + describe(v));
        }
        String s = v.asString();
        if (s.length() > c.maxLength()) {
            throw new IllegalArgumentException("is " + s.length() + " characters long; the limit is " + c.maxLength());
        }
        if (!c.values().isEmpty() && !c.values().contains(s)) {
            throw new IllegalArgumentException("is \"" + s + "\"; expected one of " + String.join(", ", c.values()));
        }
        return s;
    }

    private static <N extends Number> N inRange(Column c, N n) {
        double d = n.doubleValue();
        if (d < c.min() || d > c.max()) {
            throw new IllegalArgumentException("is " + n + "; expected a value between " + c.min() + " and " + c.max());
        }
        return n;
    }

    private static String describe(JsonNode v) {
        String s = v.toString();
        return v.getNodeType().name().toLowerCase() + " " + (s.length() > 40 ? s.substring(0, 40) + "..." : s);
    }
}
