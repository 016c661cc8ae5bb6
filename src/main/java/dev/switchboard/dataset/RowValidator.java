package dev.switchboard.dataset;

import dev.switchboard.change.Times;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Turns client JSON rows into typed column maps, or into the list of everything wrong with them.
 * Times are normalized to the canonical stored form; JSON columns are stored as their text.
 */
public final class RowValidator {
    private RowValidator() {}

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
                yield inRange(c, v.asDouble());
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
                yield Times.parse(v.asString()).map(Times::format).orElseThrow(() ->
                        new IllegalArgumentException("must be an ISO-8601 time like 2025-10-30T12:34:56Z, got \"" + v.asString() + "\""));
            }
            case JSON -> v.toString();
        };
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
