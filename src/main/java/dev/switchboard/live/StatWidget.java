package dev.switchboard.live;

import dev.switchboard.change.Row;
import java.util.ArrayList;
import java.util.List;

/** A single number over a row set: count, sum, avg, min, max, distinct, ratio or rate. */
final class StatWidget implements Widget, RowSet.Sink {
    private final String name;
    private final Expr expr;
    private final RowSet rows;
    private final Acc acc;
    private final java.time.ZoneId zone;

    StatWidget(String name, Expr expr, RowSet rows, java.time.ZoneId zone) {
        this.name = name;
        this.expr = expr;
        this.rows = rows;
        this.zone = zone;
        this.acc = expr.accumulator().get();
        rows.attach(this);
    }

    public String name() {
        return name;
    }

    public void enter(Row row) {
        acc.add(row);
    }

    public void leave(Row row) {
        acc.remove(row);
    }

    public Object value(long now) {
        return expr.fn().equals("rate") ? rate((Long) acc.value(), rows.window) : acc.value();
    }

    /** A count over a trailing window as a rate per second. */
    static double rate(long count, Window window) {
        return count / (window.span().toMillis() / 1000.0);
    }

    public Object sqlValue(Sql sql, long now) {
        List<Object> params = new ArrayList<>();
        String select = expr.sql(params, sql.dialect());
        String from = Widget.where(rows.dataset, rows.filter, rows.window, zone, now, params, sql.dialect());
        Object v = Widget.number(sql.query("SELECT " + select + " AS v" + from, params).get(0).raw("v"));
        if (expr.fn().equals("rate")) {
            return rate(((Number) v).longValue(), rows.window);
        }
        if (v instanceof Number n && (expr.fn().equals("count") || expr.fn().equals("distinct"))) {
            return n.longValue();
        }
        return v;
    }
}
