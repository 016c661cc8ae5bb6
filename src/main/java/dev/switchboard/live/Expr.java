package dev.switchboard.live;

import dev.switchboard.dataset.ColumnType;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.store.Dialect;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A column expression: {@code count}, {@code count(f=v)}, {@code rate} (a count per second over
 * the widget's trailing window), {@code sum(f)}, {@code avg(f)},
 * {@code min(f)}, {@code max(f)}, {@code distinct(f)}, {@code ratio(f=v)}, {@code ratio(f in a|b)}.
 * It makes accumulators for the engine and the equivalent SQL aggregate.
 */
record Expr(String fn, String field, Filter filter, String text) {
    private static final Pattern CALL = Pattern.compile("(\\w+)(?:\\((.*)\\))?");
    private static final Pattern CONDITION = Pattern.compile("\\s*(\\w+)\\s*(?:=|\\s+in\\s+)\\s*(.+?)\\s*");

    static Expr parse(String text, Dataset dataset, String where) {
        Matcher m = CALL.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(where + ": cannot read expression '" + text + "'");
        }
        String fn = m.group(1);
        String arg = m.group(2) == null ? "" : m.group(2).trim();
        return switch (fn) {
            case "count", "rate" -> new Expr(fn, "", arg.isEmpty() ? Filter.ALL : condition(arg, dataset, where), text);
            case "ratio" -> {
                if (arg.isEmpty()) {
                    throw new IllegalArgumentException(where + ": ratio needs a condition, e.g. ratio(outcome=completed)");
                }
                yield new Expr(fn, "", condition(arg, dataset, where), text);
            }
            case "sum", "avg", "min", "max", "distinct" -> new Expr(fn, field(arg, fn, dataset, where), Filter.ALL, text);
            default -> throw new IllegalArgumentException(where + ": unknown function '" + fn
                    + "' (expected count, rate, sum, avg, min, max, distinct, ratio)");
        };
    }

    /** The stat widget form: {@code stat: avg, field: duration} or {@code stat: ratio, numerator: {...}}. */
    static Expr of(String fn, String field, Filter filter, Dataset dataset, String where) {
        return switch (fn) {
            case "count", "rate" -> new Expr(fn, "", Filter.ALL, fn);
            case "ratio" -> new Expr(fn, "", filter, fn);
            case "sum", "avg", "min", "max", "distinct" -> new Expr(fn, field(field, fn, dataset, where), Filter.ALL, fn + "(" + field + ")");
            default -> throw new IllegalArgumentException(where + ": unknown stat '" + fn
                    + "' (expected count, sum, avg, min, max, distinct, ratio, rate)");
        };
    }

    private static String field(String field, String fn, Dataset dataset, String where) {
        var column = dataset.column(field).orElseThrow(() -> new IllegalArgumentException(
                where + ": " + fn + " needs a field of " + dataset.name() + ", got '" + field + "'"));
        boolean numeric = column.type() == ColumnType.INTEGER || column.type() == ColumnType.NUMBER;
        if (!numeric && !fn.equals("distinct")) {
            throw new IllegalArgumentException(where + ": " + fn + "(" + field + ") needs a numeric column, " + field
                    + " is " + column.type().name().toLowerCase());
        }
        return field;
    }

    private static Filter condition(String arg, Dataset dataset, String where) {
        Matcher c = CONDITION.matcher(arg);
        if (!c.matches()) {
            throw new IllegalArgumentException(where + ": cannot read condition '" + arg + "' (expected field=value or field in a|b)");
        }
        return Filter.equality(dataset, c.group(1), Arrays.asList(c.group(2).split("\\|")), where);
    }

    Supplier<Acc> accumulator() {
        return switch (fn) {
            case "count", "rate" -> () -> new Acc.Count(filter);
            case "ratio" -> () -> new Acc.Ratio(filter);
            case "sum" -> () -> new Acc.Sum(field, false);
            case "avg" -> () -> new Acc.Sum(field, true);
            case "min" -> () -> new Acc.Extreme(field, false);
            case "max" -> () -> new Acc.Extreme(field, true);
            default -> () -> new Acc.Distinct(field);
        };
    }

    /** The SQL aggregate whose result equals {@link Acc#value()} over the same rows. */
    String sql(List<Object> params, Dialect dialect) {
        return switch (fn) {
            case "count", "rate" -> {
                if (filter == Filter.ALL) {
                    yield "COUNT(*)";
                }
                StringBuilder b = new StringBuilder("SUM(CASE WHEN ");
                filter.sql(b, params, dialect);
                yield "COALESCE(" + b.append(" THEN 1 ELSE 0 END)") + ", 0)";
            }
            case "ratio" -> {
                StringBuilder b = new StringBuilder("(100.0 * SUM(CASE WHEN ");
                filter.sql(b, params, dialect);
                yield b.append(" THEN 1 ELSE 0 END) / NULLIF(COUNT(*), 0))").toString();
            }
            case "sum" -> "COALESCE(SUM(" + field + "), 0)";
            case "avg" -> "AVG(" + dialect.number(field) + ")";
            case "min" -> "MIN(" + dialect.number(field) + ")";
            case "max" -> "MAX(" + dialect.number(field) + ")";
            default -> "COUNT(DISTINCT " + field + ")";
        };
    }
}
