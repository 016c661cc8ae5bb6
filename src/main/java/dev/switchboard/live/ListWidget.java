package dev.switchboard.live;

import dev.switchboard.change.Row;
import dev.switchboard.dataset.ColumnType;
import dev.switchboard.dataset.Dataset;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The top rows of a dataset by an order (ties by key), under a filter and window. It keeps a
 * bounded buffer holding exactly the first rows of the matching set; when removals leave fewer
 * than {@code limit} and rows beyond the buffer may exist, it refills from the database. Applying
 * a change is idempotent by key, so a refill that saw commits the feed has not delivered yet
 * converges once the feed catches up.
 */
final class ListWidget implements Widget {
    private final String name;
    private final Dataset dataset;
    private final Filter filter;
    private final Window window;
    private final ZoneId zone;
    private final String orderField;
    private final boolean descending;
    private final boolean timeOrder;
    private final int limit;
    private final int capacity;
    /** The fields shown (columns or lookups); empty shows every column. */
    private final List<Lookups.Path> shown;
    private final Lookups lookups;
    private final TreeMap<Entry, Row> buffer;
    private final Map<String, Entry> byKey = new HashMap<>();
    private boolean complete;
    private boolean stale;
    private long lower = Long.MIN_VALUE;
    private long upper = Long.MAX_VALUE;

    private record Entry(Object sort, String key) {}

    ListWidget(String name, Dataset dataset, Filter filter, Window window, ZoneId zone, String orderField,
               boolean descending, int limit, List<Lookups.Path> shown, Lookups lookups) {
        this.name = name;
        this.dataset = dataset;
        this.filter = filter;
        this.window = window;
        this.zone = zone;
        this.orderField = orderField;
        this.descending = descending;
        this.timeOrder = dataset.column(orderField).map(c -> c.type() == ColumnType.TIME).orElse(false);
        this.limit = limit;
        this.capacity = limit * 2 + 8;
        this.shown = List.copyOf(shown);
        this.lookups = lookups;
        Comparator<Object> values = (a, b) -> {
            if (a == null || b == null) {
                return a == null ? (b == null ? 0 : 1) : -1; // NULLS LAST either way
            }
            int c = Values.compare(a, b);
            return descending ? -c : c;
        };
        this.buffer = new TreeMap<>(Comparator.comparing(Entry::sort, values).thenComparing(Entry::key));
    }

    public String name() {
        return name;
    }

    String dataset() {
        return dataset.name();
    }

    /** Rebuilds the buffer from the database at {@code now}. */
    void refill(Sql sql, long now) {
        install(refillRows(sql, now), now);
    }

    /** The rows a refill at {@code now} installs; reads only the database, so any thread may run it. */
    List<Row> refillRows(Sql sql, long now) {
        List<Object> params = new ArrayList<>();
        return sql.query(select(params, sql, now, capacity, true), params);
    }

    /** Replaces the buffer by {@code rows}, read by {@link #refillRows} at {@code now}. */
    void install(List<Row> rows, long now) {
        lower = window.lower(now, zone);
        upper = window.upper(now, zone);
        buffer.clear();
        byKey.clear();
        rows.forEach(this::put);
        complete = rows.size() < capacity;
        stale = false;
    }

    private String select(List<Object> params, Sql sql, long now, int n, boolean all) {
        String from = Widget.where(dataset, filter, window, zone, now, params, sql.dialect());
        String order = sql.dialect().binary(orderField);
        return "SELECT " + (all || shown.isEmpty() ? "*" : columns()) + from
                + " ORDER BY " + (timeOrder ? orderField : order) + (descending ? " DESC" : " ASC") + " NULLS LAST, "
                + sql.dialect().binary(dataset.key()) + " ASC LIMIT " + n;
    }

    /** The select list of the shown fields: the key, the columns, and each lookup as its correlated subquery. */
    private String columns() {
        List<String> out = new ArrayList<>();
        out.add(dataset.name() + "." + dataset.key());
        for (Lookups.Path p : shown) {
            if (p.direct()) {
                if (!p.field().equals(dataset.key())) {
                    out.add(dataset.name() + "." + p.field());
                }
            } else {
                out.add(p.sql(dataset.name()) + " AS \"" + p.text() + "\"");
            }
        }
        return String.join(", ", out);
    }

    private boolean member(Row row) {
        if (!filter.test(row)) {
            return false;
        }
        if (window.isNone()) {
            return true;
        }
        long t = RowSet.time(row, dataset.time());
        return t != Long.MIN_VALUE && t >= lower && t < upper;
    }

    private Entry entry(Row row) {
        Object v = row.raw(orderField);
        if (timeOrder && v != null) {
            long t = RowSet.time(row, orderField);
            v = t == Long.MIN_VALUE ? v : (Object) t;
        }
        return new Entry(v, String.valueOf(row.raw(dataset.key())));
    }

    private void put(Row row) {
        Entry e = entry(row);
        Entry old = byKey.put(e.key(), e);
        if (old != null) {
            buffer.remove(old);
        }
        buffer.put(e, row);
    }

    /** Applies one change; returns true when the buffer changed. */
    boolean apply(Row before, Row after) {
        boolean changed = false;
        String key = String.valueOf((after.present() ? after : before).raw(dataset.key()));
        Entry old = byKey.remove(key);
        if (old != null) {
            buffer.remove(old);
            changed = true;
        }
        if (after.present() && member(after)) {
            Entry e = entry(after);
            if (complete || !buffer.isEmpty() && buffer.comparator().compare(e, buffer.lastKey()) < 0) {
                byKey.put(e.key(), e);
                buffer.put(e, after);
                changed = true;
                if (buffer.size() > capacity) {
                    byKey.remove(buffer.pollLastEntry().getKey().key());
                    complete = false;
                }
            } else if (buffer.isEmpty()) {
                stale = true;
            }
        }
        if (!complete && buffer.size() < limit) {
            stale = true;
        }
        return changed;
    }

    /** Moves the window to {@code now}: members below the lower bound leave; new ones may enter. */
    boolean advance(long now) {
        if (window.isNone()) {
            return false;
        }
        long newLower = window.lower(now, zone);
        long newUpper = window.upper(now, zone);
        boolean changed = false;
        if (newUpper != upper || newLower < lower) {
            stale = true; // rows may enter at the upper bound: only the database knows which
        }
        var it = buffer.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            long t = RowSet.time(e.getValue(), dataset.time());
            if (t < newLower) {
                // read the key before removing: TreeMap reuses a removed node with two children
                // for its successor, so the entry would then name the next row
                String key = e.getKey().key();
                it.remove();
                byKey.remove(key);
                changed = true;
            }
        }
        lower = newLower;
        upper = newUpper;
        if (!complete && buffer.size() < limit) {
            stale = true;
        }
        return changed;
    }

    boolean stale() {
        return stale;
    }

    public Object value(long now) {
        List<Map<String, Object>> out = new ArrayList<>(limit);
        for (Row r : buffer.values()) {
            if (out.size() == limit) {
                break;
            }
            out.add(project(r, false));
        }
        return out;
    }

    /** The shown fields of {@code r}: lookups resolved live, or read from the SQL result's columns. */
    private Map<String, Object> project(Row r, boolean fromSql) {
        if (shown.isEmpty()) {
            return r.values();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(dataset.key(), r.raw(dataset.key()));
        for (Lookups.Path p : shown) {
            m.put(p.text(), p.direct() || fromSql ? r.raw(p.text()) : lookups.resolve(r, p));
        }
        return m;
    }

    public Object sqlValue(Sql sql, long now) {
        List<Object> params = new ArrayList<>();
        String q = select(params, sql, now, limit, false);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : sql.query(q, params)) {
            out.add(project(r, true));
        }
        return out;
    }
}
