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
 * on the feed's owner thread (or on a loader thread before it is handed to the owner, while bootstrapping).
 */
final class View {
    final ViewKey key;
    final DashboardDef def;
    private final Map<String, Widget> widgets;
    private final List<RowSet> sets;
    private final Map<String, List<String>> widgetsByDataset;
    private final List<ListWidget> lists = new ArrayList<>();
    private final List<SampleWidget> samples = new ArrayList<>();
    private Map<String, Object> published = Map.of();
    Position position;
    /** Until the feed reaches this position, the state holds changes the feed has yet to deliver. */
    Position readyAt;
    /** At or after every change the bootstrap snapshot may hold ({@code Snapshot.horizon}); at or after {@link #readyAt}. */
    Position includedUntil;
    /**
     * Until the feed passes {@link #includedUntil}, tells which changes the bootstrap snapshot already
     * holds: the feed may deliver them after the view went live, and they must not count twice.
     */
    java.util.function.Predicate<Change> alreadyIncluded = NOTHING;
    static final java.util.function.Predicate<Change> NOTHING = c -> false;
    /** Changes delivered while the bootstrap query ran; null once the view is live. */
    List<Change> pending = new ArrayList<>();
    int subscribers;
    /** Openings waiting for this view (or for others with it): it is not evicted meanwhile. */
    int pins;
    long lastUsed;
    /** Changes applied while a refill query runs; re-applied on its rows. Null when no refill runs. */
    List<Change> refilling;
    /** The view failed to apply a change and awaits its rebuild; its values are not trusted. */
    boolean broken;
    private Map<String, Object> cached;
    private long cachedAt;
    /** The instant the windows were last moved to; values are computed as of it. */
    long now;

    /** The dimension rows the widgets show through lookups (empty when none do). */
    private final Lookups lookups;
    /** Thresholds on the view's stats. */
    final Alerts alerts;

    /**
     * For the datasets every use of which a scope confines to one text value of a column (an agent's
     * calls: {@code agent_config_id = 'agent-7'}): that equality. A change of such a dataset whose
     * before and after rows both hold another value there cannot touch this view, so the engine
     * does not hand it over ({@link TenantViews}). Datasets not named here get every change.
     */
    final Map<String, Filter.Compare> routes;

    View(ViewKey key, DashboardDef def, Map<String, Widget> widgets, List<RowSet> sets, Map<String, List<String>> widgetsByDataset,
         Lookups lookups, Alerts alerts, Map<String, Filter.Compare> routes) {
        this.routes = Map.copyOf(routes);
        this.lookups = lookups;
        this.alerts = alerts;
        this.key = key;
        this.def = def;
        this.widgets = widgets;
        this.sets = sets;
        this.widgetsByDataset = widgetsByDataset;
        widgets.values().forEach(w -> {
            if (w instanceof ListWidget l) {
                lists.add(l);
            } else if (w instanceof SampleWidget sw) {
                samples.add(sw);
            }
        });
    }

    Set<String> datasets() {
        return widgetsByDataset.keySet();
    }

    /** Loads the state from a snapshot at {@code now}. */
    void bootstrap(Widget.Sql sql, long now) {
        lookups.load(sql);
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
        samples.forEach(sw -> sw.sample(now));
        changed();
    }

    /** Whether any widget reads {@code dataset}. */
    boolean reads(String dataset) {
        return widgetsByDataset.containsKey(dataset);
    }

    /** Applies changes of this view's tenant; returns the names of datasets whose rows in this view changed. */
    Set<String> apply(List<Change> changes) {
        Set<String> touched = new HashSet<>();
        for (Change c : changes) {
            if (!c.tenant().equals(key.tenant()) || !widgetsByDataset.containsKey(c.dataset())) {
                continue;
            }
            boolean changed = lookups.apply(c);
            for (RowSet set : sets) {
                if (set.dataset.name().equals(c.dataset())) {
                    changed |= set.apply(c.before(), c.after());
                }
            }
            for (ListWidget l : lists) {
                if (l.dataset().equals(c.dataset())) {
                    changed |= l.apply(c.before(), c.after());
                    changed |= l.stale();
                }
            }
            if (changed) {
                touched.add(c.dataset());
                changed();
            }
        }
        return touched;
    }

    /** Moves windows to {@code now}; false when the clock went back and the view must be rebuilt. */
    boolean advance(long now) {
        changed();
        boolean ok = true;
        for (RowSet set : sets) {
            ok &= set.advance(now);
        }
        for (ListWidget l : lists) {
            l.advance(now);
        }
        if (ok) {
            samples.forEach(sw -> sw.sample(now)); // after the windows moved: the values at now
        }
        return ok;
    }

    /** The names of the widgets that sample others over time (their values are a record, not a query). */
    java.util.Set<String> sampled() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        samples.forEach(sw -> out.add(sw.name()));
        return out;
    }

    /** Continues the sample records of {@code previous}, which this view replaces (a rebuild). */
    void adoptSamples(View previous) {
        for (SampleWidget sw : samples) {
            if (previous.widgets.get(sw.name()) instanceof SampleWidget old) {
                sw.adopt(old);
            }
        }
        changed();
    }

    /** The lists that ran short and need rows from the database. */
    List<ListWidget> staleLists() {
        return lists.stream().filter(ListWidget::stale).toList();
    }

    /** Installs rows a refill read (on any thread) for {@code lists} at {@code now}. */
    void installRefill(Map<ListWidget, List<Row>> rows, long now) {
        rows.forEach((l, r) -> l.install(r, now));
        changed();
    }

    boolean needsRefill() {
        return lists.stream().anyMatch(ListWidget::stale);
    }

    /** The widgets' values at {@code now}; the same immutable map until the state changes. */
    Map<String, Object> values(long now) {
        if (cached != null && cachedAt == now) {
            return cached;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        widgets.forEach((name, w) -> out.put(name, w.value(now)));
        cached = java.util.Collections.unmodifiableMap(out);
        cachedAt = now;
        return cached;
    }

    /** Forgets the cached values: the state moved. */
    void changed() {
        cached = null;
    }

    Map<String, Object> sqlValues(Widget.Sql sql, long now) {
        Map<String, Object> out = new LinkedHashMap<>();
        widgets.forEach((name, w) -> out.put(name, w.sqlValue(sql, now)));
        return out;
    }

    /** The values last published (by {@link #diff}). */
    Map<String, Object> publishedValues() {
        return published;
    }

    /** Takes {@code values} as already published: a rebuilt view publishes only what differs from its predecessor. */
    void published(Map<String, Object> values) {
        published = values;
    }

    /** Applies one change to {@code only} of this view's lists (re-applying what a refill's query missed). */
    void applyToLists(Change c, java.util.Collection<ListWidget> only) {
        if (!c.tenant().equals(key.tenant())) {
            return;
        }
        for (ListWidget l : only) {
            if (l.dataset().equals(c.dataset())) {
                l.apply(c.before(), c.after());
            }
        }
        changed();
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
