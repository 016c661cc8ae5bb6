package dev.switchboard.live;

import dev.switchboard.change.Row;
import dev.switchboard.store.Dialect;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A widget's {@code only}: the keys of the rows of another dataset that match a filter (in the
 * view's tenant and scope), e.g. the ids of the running campaigns. A widget restricted by it
 * counts its own rows only where {@code field} holds one of those keys, a semi-join kept exact
 * without storing rows: the widget keeps its aggregates per value of {@code field}, and a key
 * joining or leaving the set moves that value's whole aggregate in or out.
 */
final class Members implements RowSet.Sink {
    /** The restricted widget's column that must hold a member key. */
    final String field;
    private final RowSet rows;
    private final Map<Object, Integer> keys = new HashMap<>();

    Members(String field, RowSet rows) {
        this.field = field;
        this.rows = rows;
        rows.attach(this);
    }

    public void enter(Row row) {
        Object k = key(row.raw(rows.dataset.key()));
        if (k != null) {
            keys.merge(k, 1, Integer::sum);
        }
    }

    public void leave(Row row) {
        Object k = key(row.raw(rows.dataset.key()));
        if (k != null) {
            keys.computeIfPresent(k, (x, c) -> c == 1 ? null : c - 1);
        }
    }

    /** Whether {@code value} (of {@link #field}) is a member key. */
    boolean contains(Object value) {
        Object k = key(value);
        return k != null && keys.containsKey(k);
    }

    /** The dataset whose rows decide membership. */
    String dataset() {
        return rows.dataset.name();
    }

    /** Appends {@code AND field IN (SELECT key FROM other WHERE filter)} and its parameters: the same rows in SQL. */
    void sql(StringBuilder out, List<Object> params, Dialect dialect) {
        out.append(" AND ").append(field).append(" IN (SELECT ").append(rows.dataset.key()).append(" FROM ").append(rows.dataset.name())
                .append(" WHERE ");
        rows.filter.sql(out, params, dialect);
        out.append(")");
    }

    /** Keys compare as SQL compares them: 1 and 1.0 meet; NULL is never a member. */
    static Object key(Object v) {
        return v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) ? (Object) n.longValue() : v;
    }
}
