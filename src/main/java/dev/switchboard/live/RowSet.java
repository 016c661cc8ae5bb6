package dev.switchboard.live;

import dev.switchboard.change.Row;
import dev.switchboard.change.Times;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.store.Dialect;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rows of one dataset that match a filter and fall in a window, kept as a stream of
 * enter/leave events for the aggregate widgets that share it. Without a window nothing is
 * stored: the change's before image says what to take back. With one, rows at or after the lower
 * bound are retained by time, so that time passing can expire them (at the lower bound) and admit
 * them (at the upper bound) without asking the database.
 */
final class RowSet {
    /** Receives rows as they become members of the set and stop being members. */
    interface Sink {
        void enter(Row row);

        void leave(Row row);
    }

    final Dataset dataset;
    final Filter filter;
    final Window window;
    private final ZoneId zone;
    private final List<Sink> sinks = new ArrayList<>();
    private final TreeMap<Long, Map<String, Row>> retained = new TreeMap<>();
    private long lower = Long.MIN_VALUE;
    private long upper = Long.MAX_VALUE;

    RowSet(Dataset dataset, Filter filter, Window window, ZoneId zone) {
        this.dataset = dataset;
        this.filter = filter;
        this.window = window;
        this.zone = zone;
    }

    void attach(Sink sink) {
        sinks.add(sink);
    }

    /** Sets the bounds for {@code now}, before the bootstrap rows are loaded. */
    void start(long now) {
        lower = window.lower(now, zone);
        upper = window.upper(now, zone);
    }

    /**
     * The bootstrap query: the rows that can be members now or later (no upper bound, unless the
     * window is fixed: then no later row can ever be a member).
     */
    String bootstrapSql(List<Object> params, Dialect dialect) {
        StringBuilder sql = new StringBuilder("SELECT * FROM ").append(dataset.name()).append(" WHERE ");
        filter.sql(sql, params, dialect);
        if (lower != Long.MIN_VALUE) {
            sql.append(" AND ").append(dataset.time()).append(" >= ?");
            params.add(dialect.time(java.time.Instant.ofEpochMilli(lower)));
        }
        if (window.fixed()) {
            sql.append(" AND ").append(dataset.time()).append(" < ?");
            params.add(dialect.time(java.time.Instant.ofEpochMilli(upper)));
        }
        return sql.toString();
    }

    /** Applies one change; returns whether the set's rows changed (a row outside the filter changes nothing). */
    boolean apply(Row before, Row after) {
        boolean changed = false;
        if (before.present()) {
            changed = leave(before);
        }
        if (after.present()) {
            changed |= enter(after);
        }
        return changed;
    }

    private boolean enter(Row row) {
        if (!filter.test(row)) {
            return false;
        }
        if (window.isNone()) {
            sinks.forEach(s -> s.enter(row));
            return true;
        }
        long t = time(row);
        if (t == Long.MIN_VALUE || t < lower || t >= upper && window.fixed()) {
            return false;
        }
        retained.computeIfAbsent(t, k -> new HashMap<>(2)).put(key(row), row);
        if (t < upper) {
            sinks.forEach(s -> s.enter(row));
        }
        return true;
    }

    private boolean leave(Row row) {
        if (!filter.test(row)) {
            return false;
        }
        if (window.isNone()) {
            sinks.forEach(s -> s.leave(row));
            return true;
        }
        long t = time(row);
        Map<String, Row> at = retained.get(t);
        Row stored = at == null ? null : at.remove(key(row));
        if (stored == null) {
            return false;
        }
        if (at.isEmpty()) {
            retained.remove(t);
        }
        if (t < upper) {
            sinks.forEach(s -> s.leave(stored));
        }
        return true;
    }

    /**
     * Moves the bounds to {@code now}. Returns false when time went backwards past the lower
     * bound, which this set cannot undo (rows already expired are gone); the view rebuilds then.
     */
    boolean advance(long now) {
        if (window.isNone()) {
            return true;
        }
        long newLower = window.lower(now, zone);
        long newUpper = window.upper(now, zone);
        if (newLower < lower || newUpper < upper) {
            return false;
        }
        var expired = retained.headMap(newLower, false);
        for (var e : expired.entrySet()) {
            if (e.getKey() < upper) {
                e.getValue().values().forEach(r -> sinks.forEach(s -> s.leave(r)));
            }
        }
        expired.clear();
        if (newUpper > upper) {
            long from = Math.max(upper, newLower);
            if (from < newUpper) {
                retained.subMap(from, true, newUpper, false).values()
                        .forEach(m -> m.values().forEach(r -> sinks.forEach(s -> s.enter(r))));
            }
        }
        lower = newLower;
        upper = newUpper;
        return true;
    }

    long lower() {
        return lower;
    }

    long upper() {
        return upper;
    }

    private String key(Row row) {
        return String.valueOf(row.raw(dataset.key()));
    }

    private long time(Row row) {
        return time(row, dataset.time());
    }

    static long time(Row row, String column) {
        Object v = row.raw(column);
        return v == null ? Long.MIN_VALUE : Times.parse(v).map(java.time.Instant::toEpochMilli).orElse(Long.MIN_VALUE);
    }

    /** A key under which widgets with the same rows share one set. */
    static String shareKey(Dataset dataset, Filter filter, Window window) {
        return dataset.name() + "|" + filter.canonical() + "|" + window.shareKey();
    }
}
