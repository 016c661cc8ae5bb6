package dev.switchboard.live;

import dev.switchboard.change.Change;
import dev.switchboard.change.Row;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The live views of one tenant, indexed by what can change them. A change of a dataset goes to the
 * views that read it without a route, and to the routed ones ({@link View#routes}) whose value its
 * before or after row holds: a tenant with a thousand agents each watching their own calls costs
 * two lookups per change, not a thousand filter tests. Owner thread only.
 */
final class TenantViews {
    private final Map<ViewKey, View> all = new HashMap<>();
    /** Per dataset, the views that get each of its changes. */
    private final Map<String, Set<ViewKey>> unrouted = new HashMap<>();
    /** Per dataset, per routed column, per value: the views confined to that value. */
    private final Map<String, Map<String, Map<String, Set<ViewKey>>>> routed = new HashMap<>();

    Map<ViewKey, View> all() {
        return all;
    }

    boolean isEmpty() {
        return all.isEmpty();
    }

    int size() {
        return all.size();
    }

    boolean containsKey(ViewKey key) {
        return all.containsKey(key);
    }

    /** Adds {@code v}, replacing the view of its key if there is one. */
    void put(View v) {
        remove(v.key);
        all.put(v.key, v);
        for (String dataset : v.datasets()) {
            Filter.Compare r = v.routes.get(dataset);
            if (r == null) {
                unrouted.computeIfAbsent(dataset, d -> new LinkedHashSet<>()).add(v.key);
            } else {
                routed.computeIfAbsent(dataset, d -> new HashMap<>())
                        .computeIfAbsent(r.field(), f -> new HashMap<>())
                        .computeIfAbsent((String) r.value(), x -> new LinkedHashSet<>()).add(v.key);
            }
        }
    }

    void remove(ViewKey key) {
        View v = all.remove(key);
        if (v == null) {
            return;
        }
        for (String dataset : v.datasets()) {
            Filter.Compare r = v.routes.get(dataset);
            if (r == null) {
                Set<ViewKey> s = unrouted.get(dataset);
                if (s != null && s.remove(key) && s.isEmpty()) {
                    unrouted.remove(dataset);
                }
                continue;
            }
            Map<String, Map<String, Set<ViewKey>>> byField = routed.get(dataset);
            Map<String, Set<ViewKey>> byValue = byField == null ? null : byField.get(r.field());
            Set<ViewKey> s = byValue == null ? null : byValue.get((String) r.value());
            if (s != null && s.remove(key) && s.isEmpty()) {
                byValue.remove((String) r.value());
                if (byValue.isEmpty()) {
                    byField.remove(r.field());
                    if (byField.isEmpty()) {
                        routed.remove(dataset);
                    }
                }
            }
        }
    }

    /**
     * The changes each view must see, in the order of {@code changes} (all of this tenant), views in
     * no particular order. A view absent from the result cannot be touched by any of them.
     */
    Map<View, List<Change>> route(Collection<Change> changes) {
        Map<View, List<Change>> out = new LinkedHashMap<>();
        for (Change c : changes) {
            Set<ViewKey> every = unrouted.get(c.dataset());
            if (every != null) {
                for (ViewKey k : every) {
                    out.computeIfAbsent(all.get(k), x -> new ArrayList<>()).add(c);
                }
            }
            Map<String, Map<String, Set<ViewKey>>> byField = routed.get(c.dataset());
            if (byField == null) {
                continue;
            }
            for (Map.Entry<String, Map<String, Set<ViewKey>>> f : byField.entrySet()) {
                String before = text(c.before(), f.getKey());
                String after = text(c.after(), f.getKey());
                add(out, f.getValue().get(before), c);
                if (after != null && !after.equals(before)) {
                    add(out, f.getValue().get(after), c);
                }
            }
        }
        return out;
    }

    private void add(Map<View, List<Change>> out, Set<ViewKey> keys, Change c) {
        if (keys == null) {
            return;
        }
        for (ViewKey k : keys) {
            out.computeIfAbsent(all.get(k), x -> new ArrayList<>()).add(c);
        }
    }

    /** The row's value in {@code field} when it is a string (only a string can equal a routed value); null otherwise. */
    private static String text(Row row, String field) {
        return row.raw(field) instanceof String s ? s : null;
    }
}
