package dev.switchboard.live;

import dev.switchboard.change.Row;
import dev.switchboard.dataset.Column;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.store.Dialect;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import tools.jackson.databind.JsonNode;

/**
 * A row predicate with its SQL twin. Built from the YAML filter language (see docs/DASHBOARDS.md);
 * NULL semantics follow SQL: a NULL column satisfies only {@code null: true}.
 */
sealed interface Filter {
    Filter ALL = new All();

    boolean test(Row row);

    /** Appends a SQL condition (always parenthesized) and its parameters. */
    void sql(StringBuilder out, List<Object> params, Dialect dialect);

    /** A stable text form, used to share row sets between widgets with the same filter. */
    String canonical();

    /**
     * A column this filter requires to equal a plain text value, when there is one: every row that
     * passes has exactly that string there. The engine routes a change to a view through it (a
     * change whose before and after rows both hold another value there cannot touch the view).
     * Empty when the filter has no such conjunct, or when the value could compare equal to a
     * differently written one (a number, a time).
     */
    default java.util.Optional<Compare> textEquality() {
        return java.util.Optional.empty();
    }

    default Filter and(Filter other) {
        if (this == ALL) {
            return other;
        }
        return other == ALL ? this : new Junction("AND", List.of(this, other));
    }

    /**
     * Parses a filter node; {@code substitute} resolves {@code ${...}} placeholders in values.
     */
    static Filter parse(JsonNode node, Dataset dataset, UnaryOperator<String> substitute, String where) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return ALL;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + ": a filter must be a map of field to condition");
        }
        List<Filter> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String key = e.getKey();
            JsonNode v = e.getValue();
            switch (key) {
                case "and", "or" -> {
                    if (!v.isArray() || v.isEmpty()) {
                        throw new IllegalArgumentException(where + ": '" + key + "' takes a non-empty list of filters");
                    }
                    List<Filter> subs = new ArrayList<>();
                    v.forEach(s -> subs.add(parse(s, dataset, substitute, where)));
                    parts.add(new Junction(key.toUpperCase(), subs));
                }
                case "not" -> parts.add(new Not(parse(v, dataset, substitute, where)));
                default -> parts.add(condition(key, v, dataset, substitute, where));
            }
        }
        return parts.size() == 1 ? parts.get(0) : new Junction("AND", parts);
    }

    private static Filter condition(String field, JsonNode v, Dataset dataset, UnaryOperator<String> substitute, String where) {
        Column column = dataset.column(field).orElseThrow(() -> new IllegalArgumentException(
                where + ": unknown field '" + field + "' in dataset " + dataset.name()));
        if (!v.isObject()) {
            return new Compare(field, "=", literal(column, v, substitute, where));
        }
        List<Filter> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> op : v.properties()) {
            JsonNode arg = op.getValue();
            parts.add(switch (op.getKey()) {
                case "eq" -> new Compare(field, "=", literal(column, arg, substitute, where));
                case "ne" -> new Compare(field, "<>", literal(column, arg, substitute, where));
                case "gt" -> new Compare(field, ">", literal(column, arg, substitute, where));
                case "gte" -> new Compare(field, ">=", literal(column, arg, substitute, where));
                case "lt" -> new Compare(field, "<", literal(column, arg, substitute, where));
                case "lte" -> new Compare(field, "<=", literal(column, arg, substitute, where));
                case "null" -> new IsNull(field, arg.asBoolean());
                case "in" -> {
                    if (!arg.isArray() || arg.isEmpty()) {
                        throw new IllegalArgumentException(where + ": 'in' on " + field + " takes a non-empty list");
                    }
                    List<Object> values = new ArrayList<>();
                    arg.forEach(a -> values.add(literal(column, a, substitute, where)));
                    yield new In(field, values);
                }
                default -> throw new IllegalArgumentException(where + ": unknown operator '" + op.getKey() + "' on " + field
                        + " (expected eq, ne, gt, gte, lt, lte, in, null)");
            });
        }
        return parts.size() == 1 ? parts.get(0) : new Junction("AND", parts);
    }

    private static Object literal(Column column, JsonNode v, UnaryOperator<String> substitute, String where) {
        if (v.isNull()) {
            throw new IllegalArgumentException(where + ": compare " + column.name() + " with null using {null: true}");
        }
        Object raw = v.isString() ? substitute.apply(v.asString()) : v.isBoolean() ? (Object) v.asBoolean()
                : v.isIntegralNumber() ? (Object) v.asLong() : v.isNumber() ? (Object) v.asDouble() : v.toString();
        return Values.literal(column, raw, where);
    }

    /** Equality on a column with a typed literal, as in {@code count(outcome=completed)}. */
    static Filter equality(Dataset dataset, String field, List<String> literals, String where) {
        Column column = dataset.column(field).orElseThrow(() -> new IllegalArgumentException(
                where + ": unknown field '" + field + "' in dataset " + dataset.name()));
        List<Object> values = literals.stream().map(l -> Values.literal(column, l, where)).toList();
        return values.size() == 1 ? new Compare(field, "=", values.get(0)) : new In(field, values);
    }

    record All() implements Filter {
        public boolean test(Row row) {
            return true;
        }

        public void sql(StringBuilder out, List<Object> params, Dialect dialect) {
            out.append("(1=1)");
        }

        public String canonical() {
            return "*";
        }
    }

    record Compare(String field, String op, Object value) implements Filter {
        @Override
        public java.util.Optional<Compare> textEquality() {
            return op.equals("=") && Values.plainText(value) ? java.util.Optional.of(this) : java.util.Optional.empty();
        }

        public boolean test(Row row) {
            Object v = row.raw(field);
            if (v == null) {
                return false;
            }
            int c = Values.compare(v, value);
            return switch (op) {
                case "=" -> c == 0;
                case "<>" -> c != 0;
                case ">" -> c > 0;
                case ">=" -> c >= 0;
                case "<" -> c < 0;
                default -> c <= 0;
            };
        }

        public void sql(StringBuilder out, List<Object> params, Dialect dialect) {
            out.append('(').append(field).append(' ').append(op).append(" ?)");
            params.add(param(value, dialect));
        }

        public String canonical() {
            return field + op + value;
        }
    }

    record In(String field, List<Object> values) implements Filter {
        public boolean test(Row row) {
            Object v = row.raw(field);
            return v != null && values.stream().anyMatch(x -> Values.same(v, x));
        }

        public void sql(StringBuilder out, List<Object> params, Dialect dialect) {
            out.append('(').append(field).append(" IN (");
            for (int i = 0; i < values.size(); i++) {
                out.append(i == 0 ? "?" : ", ?");
                params.add(param(values.get(i), dialect));
            }
            out.append("))");
        }

        public String canonical() {
            return field + " in " + values;
        }
    }

    record IsNull(String field, boolean isNull) implements Filter {
        public boolean test(Row row) {
            return (row.raw(field) == null) == isNull;
        }

        public void sql(StringBuilder out, List<Object> params, Dialect dialect) {
            out.append('(').append(field).append(isNull ? " IS NULL)" : " IS NOT NULL)");
        }

        public String canonical() {
            return field + (isNull ? " null" : " notnull");
        }
    }

    record Not(Filter inner) implements Filter {
        public boolean test(Row row) {
            return !inner.test(row);
        }

        /**
         * {@code IS NOT TRUE}, not {@code NOT}: the engine's {@code not} matches every row its
         * filter does not match, including rows where a NULL makes SQL's {@code NOT} unknown.
         */
        public void sql(StringBuilder out, List<Object> params, Dialect dialect) {
            out.append('(');
            inner.sql(out, params, dialect);
            out.append(" IS NOT TRUE)");
        }

        public String canonical() {
            return "not(" + inner.canonical() + ")";
        }
    }

    record Junction(String op, List<Filter> parts) implements Filter {
        @Override
        public java.util.Optional<Compare> textEquality() {
            if (!op.equals("AND")) {
                return java.util.Optional.empty();
            }
            for (Filter f : parts) {
                java.util.Optional<Compare> e = f.textEquality();
                if (e.isPresent()) {
                    return e;
                }
            }
            return java.util.Optional.empty();
        }

        public boolean test(Row row) {
            boolean and = op.equals("AND");
            for (Filter f : parts) {
                if (f.test(row) != and) {
                    return !and;
                }
            }
            return and;
        }

        public void sql(StringBuilder out, List<Object> params, Dialect dialect) {
            out.append('(');
            for (int i = 0; i < parts.size(); i++) {
                if (i > 0) {
                    out.append(' ').append(op).append(' ');
                }
                parts.get(i).sql(out, params, dialect);
            }
            out.append(')');
        }

        public String canonical() {
            return op + parts.stream().map(Filter::canonical).toList();
        }
    }

    private static Object param(Object value, Dialect dialect) {
        if (value instanceof String s && s.length() == 24 && s.endsWith("Z") && s.charAt(10) == 'T') {
            return dev.switchboard.change.Times.parse(s).map(dialect::time).orElse(s);
        }
        return value;
    }

}
