package dev.switchboard.live;

import dev.switchboard.change.Change;
import dev.switchboard.change.Row;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.dataset.DatasetCatalog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Live lookups: the dimension rows (campaigns, products, agents, ...) one view's widgets show and
 * group by, held per view for its tenant and kept current from the change stream. A widget keeps
 * its own rows' references (a campaign id) and resolves them here when it computes its value, so
 * a renamed campaign changes every widget that shows it without touching the fact rows: exact and
 * incremental, as a SQL {@code LEFT JOIN} on (tenant, key) computes it.
 */
final class Lookups {
    /** One step from a row to the row it refers to. */
    record Hop(Dataset.Lookup lookup, Dataset from, Dataset target) {}

    /**
     * A field reached through lookups: {@code campaign.name}, or {@code agent.team.name} through two.
     * A path without hops is a plain column.
     */
    record Path(String text, List<Hop> hops, String field) {
        boolean direct() {
            return hops.isEmpty();
        }

        /** The column of the widget's own rows that the first hop follows (the path's field when direct). */
        String column() {
            return direct() ? field : hops.get(0).lookup().on();
        }

        /**
         * SQL for the value, correlated to the outer query's table {@code outer} (the widget's dataset,
         * named by its table name): nested scalar subqueries, one per hop, each matching tenant and key.
         */
        String sql(String outer) {
            if (direct()) {
                return outer + "." + field;
            }
            return sql(0, outer);
        }

        private String sql(int i, String outerAlias) {
            Hop h = hops.get(i);
            String alias = "lk" + i;
            String value = i == hops.size() - 1 ? alias + "." + field : sql(i + 1, alias);
            return "(SELECT " + value + " FROM " + h.target().name() + " " + alias + " WHERE " + alias + "." + h.target().tenant() + " = "
                    + outerAlias + "." + h.from().tenant() + " AND " + alias + "." + h.target().key() + " = " + outerAlias + "." + h.lookup().on() + ")";
        }
    }

    /** Parses {@code text} ({@code status}, {@code campaign.name}, {@code agent.team.name}) against {@code dataset}. */
    static Path path(Dataset dataset, String text, DatasetCatalog catalog, String where) {
        String[] parts = text.split("\\.", -1);
        List<Hop> hops = new ArrayList<>();
        Dataset at = dataset;
        for (int i = 0; i < parts.length - 1; i++) {
            Dataset.Lookup l = at.lookups().get(parts[i]);
            if (l == null) {
                throw new IllegalArgumentException(where + ": '" + text + "': dataset " + at.name() + " has no lookup '" + parts[i] + "'"
                        + (at.lookups().isEmpty() ? "" : " (lookups: " + at.lookups().keySet() + ")"));
            }
            Dataset target = catalog.find(l.dataset()).orElseThrow();
            hops.add(new Hop(l, at, target));
            at = target;
        }
        String field = parts[parts.length - 1];
        if (at.column(field).isEmpty()) {
            throw new IllegalArgumentException(where + ": unknown field '" + field + "' in dataset " + at.name());
        }
        if (hops.size() > 3) {
            throw new IllegalArgumentException(where + ": '" + text + "' follows more than 3 lookups");
        }
        return new Path(text, List.copyOf(hops), field);
    }

    private final String tenant;
    /** Per dimension dataset: its rows of this tenant by key. */
    private final Map<String, Map<String, Row>> rows = new LinkedHashMap<>();
    private final Map<String, Dataset> datasets = new LinkedHashMap<>();

    Lookups(String tenant) {
        this.tenant = tenant;
    }

    /** Holds the rows of every dataset {@code path} passes through. */
    void need(Path path) {
        for (Hop h : path.hops()) {
            datasets.putIfAbsent(h.target().name(), h.target());
            rows.putIfAbsent(h.target().name(), new HashMap<>());
        }
    }

    /** The dimension datasets held. */
    java.util.Set<String> datasets() {
        return datasets.keySet();
    }

    boolean isEmpty() {
        return datasets.isEmpty();
    }

    /** Loads every held dataset's rows of the tenant from a snapshot. */
    void load(Widget.Sql sql) {
        for (Dataset d : datasets.values()) {
            Map<String, Row> byKey = rows.get(d.name());
            byKey.clear();
            for (Row r : sql.query("SELECT * FROM " + d.name() + " WHERE " + d.tenant() + " = ?", List.of(tenant))) {
                byKey.put(String.valueOf(r.raw(d.key())), r);
            }
        }
    }

    /** Applies a change of this tenant; true when it touched a held dataset. */
    boolean apply(Change c) {
        Dataset d = datasets.get(c.dataset());
        if (d == null || !c.tenant().equals(tenant)) {
            return false;
        }
        Map<String, Row> byKey = rows.get(d.name());
        if (c.before().present()) {
            byKey.remove(String.valueOf(c.before().raw(d.key())));
        }
        if (c.after().present()) {
            byKey.put(String.valueOf(c.after().raw(d.key())), c.after());
        }
        return true;
    }

    /** The value of {@code path} for {@code row}, as the SQL of {@link Path#sql} gives it. */
    Object resolve(Row row, Path path) {
        if (path.direct()) {
            return row.raw(path.field());
        }
        return follow(row.raw(path.column()), path);
    }

    /** The value of {@code path} for a row whose first reference is {@code reference}. */
    Object follow(Object reference, Path path) {
        Object ref = reference;
        for (int i = 0; i < path.hops().size(); i++) {
            if (ref == null) {
                return null;
            }
            Hop h = path.hops().get(i);
            Row target = rows.get(h.target().name()).get(String.valueOf(ref));
            if (target == null) {
                return null;
            }
            ref = i == path.hops().size() - 1 ? target.raw(path.field()) : target.raw(path.hops().get(i + 1).lookup().on());
        }
        return ref;
    }
}
