package dev.switchboard.live;

import dev.switchboard.change.Change;
import dev.switchboard.change.Position;
import dev.switchboard.change.Row;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The live state of one dashboard for one view key. Not thread-safe: the engine touches it only
 * under the feed's dispatch lock (or before it is published, while bootstrapping).
 */
final class View {
    final ViewKey key;
    final DashboardDef def;
    private final Map<String, Widget> widgets;
    private final List<RowSet> sets;
    private final Map<String, List<String>> widgetsByDataset;
    private final List<ListWidget> lists = new ArrayList<>();
    private Map<String, Object> published = Map.of();
    Position position;
    /** Until the feed reaches this position, the state holds changes the feed has yet to deliver. */
    Position readyAt;
    /**
     * Until the feed passes {@link #readyAt}, tells which changes the bootstrap snapshot already
     * holds: the feed may deliver them after the view went live, and they must not count twice.
     */
    java.util.function.Predicate<Change> alreadyIncluded = NOTHING;
    static final java.util.function.Predicate<Change> NOTHING = c -> false;
    /** Changes delivered while the bootstrap query ran; null once the view is live. */
    List<Change> pending = new ArrayList<>();
    int subscribers;
    long lastUsed;
    /** The instant the windows were last moved to; values are computed as of it. */
    long now;

    View(ViewKey key, DashboardDef def, Map<String, Widget> widgets, List<RowSet> sets, Map<String, List<String>> widgetsByDataset) {
        this.key = key;
        this.def = def;
        this.widgets = widgets;
        this.sets = sets;
        this.widgetsByDataset = widgetsByDataset;
        widgets.values().forEach(w -> {
            if (w instanceof ListWidget l) {
                lists.add(l);
            }
        });
    }

    Set<String> datasets() {
        return widgetsByDataset.keySet();
    }

    /** Loads the state from a snapshot at {@code now}. */
    void bootstrap(Widget.Sql sql, long now) {
        for (RowSet set : sets) {
            set.start(now);
            List<Object> params = new ArrayList<>();
            String q = set.bootstrapSql(params, sql.dialect());
            for (Row row : sql.query(q, params)) {
                set.apply(Row.NONE, row);
            }
        }
        for (ListWidget l : lists) {
            l.refill(sql, now);
        }
    }

    /** Whether any widget reads {@code dataset}. */
    boolean reads(String dataset) {
        return widgetsByDataset.containsKey(dataset);
    }

    /** Applies changes of this view's tenant; returns the names of datasets touched. */
    Set<String> apply(List<Change> changes) {
        Set<String> touched = new HashSet<>();
        for (Change c : changes) {
            if (!c.tenant().equals(key.tenant()) || !widgetsByDataset.containsKey(c.dataset())) {
                continue;
            }
            touched.add(c.dataset());
            for (RowSet set : sets) {
                if (set.dataset.name().equals(c.dataset())) {
                    set.apply(c.before(), c.after());
                }
            }
            for (ListWidget l : lists) {
                if (l.dataset().equals(c.dataset())) {
                    l.apply(c.before(), c.after());
                }
            }
        }
        return touched;
    }

    /** Moves windows to {@code now}; false when the clock went back and the view must be rebuilt. */
    boolean advance(long now) {
        boolean ok = true;
        for (RowSet set : sets) {
            ok &= set.advance(now);
        }
        for (ListWidget l : lists) {
            l.advance(now);
        }
        return ok;
    }

    /** Refills lists that ran short. */
    void refill(Widget.Sql sql, long now) {
        for (ListWidget l : lists) {
            if (l.stale()) {
                l.refill(sql, now);
            }
        }
    }

    boolean needsRefill() {
        return lists.stream().anyMatch(ListWidget::stale);
    }

    Map<String, Object> values(long now) {
        Map<String, Object> out = new LinkedHashMap<>();
        widgets.forEach((name, w) -> out.put(name, w.value(now)));
        return out;
    }

    Map<String, Object> sqlValues(Widget.Sql sql, long now) {
        Map<String, Object> out = new LinkedHashMap<>();
        widgets.forEach((name, w) -> out.put(name, w.sqlValue(sql, now)));
        return out;
    }

    /** The widgets whose value differs from the last published one; remembers the new values. */
    Map<String, Object> diff(long now) {
        Map<String, Object> current = values(now);
        Map<String, Object> changed = new LinkedHashMap<>();
        current.forEach((name, v) -> {
            if (!Objects.equals(v, published.get(name)) || !published.containsKey(name)) {
                changed.put(name, v);
            }
        });
        published = current;
        return changed;
    }

}
