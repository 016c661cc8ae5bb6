package dev.switchboard.live;

import dev.switchboard.change.Row;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.store.Dialect;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/** One live value of a view, kept incrementally, with the SQL that computes the same value. */
interface Widget {
    String name();

    /** The current value as JSON-ready data (numbers, strings, maps, lists, null). */
    Object value(long now);

    /** The same value computed by SQL over the database at {@code now}. */
    Object sqlValue(Sql sql, long now);

    /** Runs one query inside a snapshot. */
    interface Sql {
        Dialect dialect();

        List<Row> query(String sql, List<Object> params);
    }

    /** The WHERE clause of a widget's rows at {@code now}: filter plus window bounds. */
    static String where(Dataset dataset, Filter filter, Window window, ZoneId zone, long now, List<Object> params, Dialect dialect) {
        StringBuilder sql = new StringBuilder(" FROM ").append(dataset.name()).append(" WHERE ");
        filter.sql(sql, params, dialect);
        long lower = window.lower(now, zone);
        long upper = window.upper(now, zone);
        if (lower != Long.MIN_VALUE) {
            sql.append(" AND ").append(dataset.time()).append(" >= ?");
            params.add(dialect.time(Instant.ofEpochMilli(lower)));
        }
        if (upper != Long.MAX_VALUE) {
            sql.append(" AND ").append(dataset.time()).append(" < ?");
            params.add(dialect.time(Instant.ofEpochMilli(upper)));
        }
        return sql.toString();
    }

    /** Reads an aggregate cell back into the engine's number types. */
    static Object number(Object v) {
        if (v instanceof Integer i) {
            return (long) i;
        }
        if (v instanceof Float f) {
            return (double) f;
        }
        return v;
    }
}
