package dev.switchboard.live;

import dev.switchboard.change.Row;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A count, sum or rate over the rows whose {@code only} field holds a member key ({@link Members}):
 * the aggregate is kept per value of that field, and the value adds up the members' ones. Only
 * additive stats can be added up that way.
 */
final class MemberStat implements Widget, RowSet.Sink {
    private final String name;
    private final Expr expr;
    private final RowSet rows;
    private final Members members;
    private final java.time.ZoneId zone;
    private final Map<Object, Group> groups = new HashMap<>();

    private static final class Group {
        long rows;
        final Acc acc;

        Group(Acc acc) {
            this.acc = acc;
        }
    }

    MemberStat(String name, Expr expr, RowSet rows, Members members, java.time.ZoneId zone) {
        this.name = name;
        this.expr = expr;
        this.rows = rows;
        this.members = members;
        this.zone = zone;
        rows.attach(this);
    }

    public String name() {
        return name;
    }

    public void enter(Row row) {
        Object k = Members.key(row.raw(members.field));
        if (k == null) {
            return;
        }
        Group g = groups.computeIfAbsent(k, x -> new Group(expr.accumulator().get()));
        g.rows++;
        g.acc.add(row);
    }

    public void leave(Row row) {
        Object k = Members.key(row.raw(members.field));
        Group g = k == null ? null : groups.get(k);
        if (g == null) {
            return;
        }
        g.acc.remove(row);
        if (--g.rows == 0) {
            groups.remove(k);
        }
    }

    public Object value(long now) {
        long longs = 0;
        double doubles = 0;
        boolean fractional = false;
        for (Map.Entry<Object, Group> e : groups.entrySet()) {
            if (!members.contains(e.getKey())) {
                continue;
            }
            Object v = e.getValue().acc.value();
            if (v instanceof Long l) {
                longs += l;
            } else if (v instanceof Number n) {
                doubles += n.doubleValue();
                fractional = true;
            }
        }
        Object sum = fractional ? (Object) (longs + doubles) : (Object) longs;
        return expr.fn().equals("rate") ? StatWidget.rate(((Number) sum).longValue(), rows.window) : sum;
    }

    public Object sqlValue(Sql sql, long now) {
        List<Object> params = new ArrayList<>();
        String select = expr.sql(params, sql.dialect());
        StringBuilder from = new StringBuilder(Widget.where(rows.dataset, rows.filter, rows.window, zone, now, params, sql.dialect()));
        members.sql(from, params, sql.dialect());
        Object v = Widget.number(sql.query("SELECT " + select + " AS v" + from, params).get(0).raw("v"));
        if (expr.fn().equals("rate")) {
            return StatWidget.rate(((Number) v).longValue(), rows.window);
        }
        return v instanceof Number n && expr.fn().equals("count") ? (Object) n.longValue() : v;
    }
}
