package dev.switchboard.live;

import dev.switchboard.change.Row;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Values per group of a field: a breakdown (one expression, an object keyed by group) or a table
 * (several columns, a sorted list of rows). A group disappears when its last row leaves, as it
 * would from a SQL GROUP BY.
 */
final class GroupWidget implements Widget, RowSet.Sink {
    /** Breakdowns name the NULL group with this key. */
    static final String NULL_GROUP = "(none)";

    private final String name;
    /** What the widget groups by: a column, or a field reached through lookups (grouped by reference, labelled at output). */
    private final Lookups.Path group;
    private final Lookups lookups;
    /** A table's label for each group: a field through a lookup that starts at the grouped column ({@code campaign.name} by {@code campaign_id}). */
    private final java.util.Optional<Lookups.Path> label;
    private final String field;
    private final Map<String, Expr> columns;
    private final boolean table;
    private final String orderBy;
    private final boolean descending;
    private final int limit;
    private final RowSet rows;
    private final ZoneId zone;
    /** The table's {@code only}: groups whose key is not a member are left out (empty: every group). */
    private final java.util.Optional<Members> members;
    private final Map<Object, Group> groups = new HashMap<>();

    private static final class Group {
        long rows;
        /** The rows' value of the grouped column (the reference, for a lookup). */
        Object raw;
        final Acc[] accs;

        Group(int n) {
            accs = new Acc[n];
        }
    }

    GroupWidget(String name, Lookups.Path group, Lookups lookups, Map<String, Expr> columns, boolean table, String orderBy, boolean descending,
                int limit, RowSet rows, ZoneId zone) {
        this(name, group, java.util.Optional.empty(), lookups, columns, table, orderBy, descending, limit, rows, zone, java.util.Optional.empty());
    }

    /** {@code members}, when present, restricts the grouped column (a table's {@code only}): other groups are left out. */
    GroupWidget(String name, Lookups.Path group, java.util.Optional<Lookups.Path> label, Lookups lookups, Map<String, Expr> columns,
                boolean table, String orderBy, boolean descending, int limit, RowSet rows, ZoneId zone, java.util.Optional<Members> members) {
        members.ifPresent(m -> {
            if (!group.direct() || !m.field.equals(group.field())) {
                throw new IllegalArgumentException("'only' must restrict the grouped column " + group.text() + ", not " + m.field);
            }
        });
        this.members = members;
        this.label = label;
        this.name = name;
        this.group = group;
        this.lookups = lookups;
        this.field = group.column();
        this.columns = new LinkedHashMap<>(columns);
        this.table = table;
        this.orderBy = orderBy;
        this.descending = descending;
        this.limit = limit;
        this.rows = rows;
        this.zone = zone;
        rows.attach(this);
    }

    public String name() {
        return name;
    }

    public void enter(Row row) {
        Object raw = row.raw(field);
        Group g = groups.computeIfAbsent(groupKey(raw), k -> {
            Group n = fresh();
            n.raw = raw;
            return n;
        });
        g.rows++;
        for (Acc a : g.accs) {
            a.add(row);
        }
    }

    public void leave(Row row) {
        Object k = groupKey(row.raw(field));
        Group g = groups.get(k);
        if (g == null) {
            return;
        }
        for (Acc a : g.accs) {
            a.remove(row);
        }
        if (--g.rows == 0) {
            groups.remove(k);
        }
    }

    private Group fresh() {
        Group n = new Group(columns.size());
        int i = 0;
        for (Expr e : columns.values()) {
            n.accs[i++] = e.accumulator().get();
        }
        return n;
    }

    /** A column's value from its accumulator's (or SQL's): a rate is its count per second of the window. */
    private Object cell(Expr e, Object v) {
        return e.fn().equals("rate") && v instanceof Number n ? (Object) StatWidget.rate(n.longValue(), rows.window) : v;
    }

    /** Groups are keyed so that 1 and 1.0 meet, as they do in SQL. */
    private static Object groupKey(Object v) {
        return v == null ? NULL_GROUP : v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) ? (Object) n.longValue() : v;
    }

    public Object value(long now) {
        Map<Object, Group> byLabel = groups;
        if (!group.direct()) {
            // the rows are grouped by reference; references whose rows share a label are one group
            byLabel = new HashMap<>();
            for (Group g : groups.values()) {
                Group into = byLabel.computeIfAbsent(groupKey(lookups.follow(g.raw, group)), k -> fresh());
                into.rows += g.rows;
                for (int i = 0; i < into.accs.length; i++) {
                    into.accs[i].absorb(g.accs[i]);
                }
            }
        }
        Map<Object, Object[]> cells = new HashMap<>();
        Map<Object, Object> labels = new HashMap<>();
        List<Expr> exprs = List.copyOf(columns.values());
        byLabel.forEach((k, g) -> {
            if (members.isPresent() && (k == NULL_GROUP || !members.get().contains(k))) {
                return;
            }
            Object[] vs = new Object[g.accs.length];
            for (int i = 0; i < vs.length; i++) {
                vs[i] = cell(exprs.get(i), g.accs[i].value());
            }
            cells.put(k, vs);
            label.ifPresent(l -> labels.put(k, lookups.follow(g.raw, l)));
        });
        return render(cells, labels);
    }

    private Object render(Map<Object, Object[]> cells, Map<Object, Object> labels) {
        if (!table) {
            Map<String, Object> out = new TreeMap<>();
            cells.forEach((k, v) -> out.put(String.valueOf(k), v[0]));
            return out;
        }
        List<String> names = List.copyOf(columns.keySet());
        int idx = names.indexOf(orderBy);
        Comparator<Map.Entry<Object, Object[]>> byValue = (a, b) -> {
            Object x = a.getValue()[idx];
            Object y = b.getValue()[idx];
            if (x == null || y == null) {
                return x == null ? (y == null ? 0 : 1) : -1;
            }
            int c = Values.compare(x, y);
            return descending ? -c : c;
        };
        List<Map<String, Object>> out = new ArrayList<>();
        cells.entrySet().stream()
                .sorted(byValue.thenComparing(e -> String.valueOf(e.getKey())))
                .limit(limit)
                .forEach(e -> {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put(group.text(), e.getKey() == NULL_GROUP ? null : e.getKey());
                    label.ifPresent(l -> r.put(l.text(), labels.get(e.getKey())));
                    for (int i = 0; i < names.size(); i++) {
                        r.put(names.get(i), e.getValue()[i]);
                    }
                    out.add(r);
                });
        return out;
    }

    public Object sqlValue(Sql sql, long now) {
        List<Object> params = new ArrayList<>();
        StringBuilder select = new StringBuilder("SELECT ").append(group.direct() ? field : "sb_group").append(" AS g");
        int i = 0;
        for (Expr e : columns.values()) {
            select.append(", ").append(e.sql(params, sql.dialect())).append(" AS c").append(i++);
        }
        List<Object> whereParams = new ArrayList<>();
        StringBuilder where = new StringBuilder(Widget.where(rows.dataset, rows.filter, rows.window, zone, now, whereParams, sql.dialect()));
        members.ifPresent(m -> m.sql(where, whereParams, sql.dialect()));
        String from = where.toString();
        params.addAll(whereParams); // the select list's parameters come first in the text either way
        String query;
        if (group.direct() && label.isPresent()) {
            // grouped by tenant too (one tenant: the same groups), so the label's lookup may refer to both
            String name = rows.dataset.name();
            query = select + ", " + label.get().sql(name) + " AS sb_label" + from + " GROUP BY " + name + "." + rows.dataset.tenant() + ", " + field;
        } else if (group.direct()) {
            query = select + from + " GROUP BY " + field;
        } else {
            // a LEFT JOIN by (tenant, key) as a correlated lookup, grouped by its value
            String name = rows.dataset.name();
            query = select + " FROM (SELECT " + name + ".*, " + group.sql(name) + " AS sb_group" + from + ") q GROUP BY sb_group";
        }
        Map<Object, Object[]> cells = new HashMap<>();
        Map<Object, Object> labels = new HashMap<>();
        List<Expr> exprs = List.copyOf(columns.values());
        for (Row r : sql.query(query, params)) {
            if (label.isPresent()) {
                labels.put(groupKey(r.raw("g")), r.raw("sb_label"));
            }
            Object[] vs = new Object[exprs.size()];
            for (int j = 0; j < vs.length; j++) {
                Object v = Widget.number(r.raw("c" + j));
                String fn = exprs.get(j).fn();
                vs[j] = cell(exprs.get(j), v instanceof Number n && (fn.equals("count") || fn.equals("distinct") || fn.equals("rate"))
                        ? (Object) n.longValue() : v);
            }
            cells.put(groupKey(r.raw("g")), vs);
        }
        return render(cells, labels);
    }
}
