package dev.switchboard.live;

import dev.switchboard.change.Change;
import dev.switchboard.change.ChangeFeed;
import dev.switchboard.change.Op;
import dev.switchboard.change.Position;
import dev.switchboard.change.Row;
import dev.switchboard.dataset.DatasetCatalog;
import dev.switchboard.store.Snapshot;
import dev.switchboard.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every watched view exact. Views are created on first use, bootstrapped from a snapshot
 * while the changes that arrive meanwhile are buffered, then updated from each batch of the feed
 * and from the passing of time, and evicted after sitting unwatched. All view state is touched
 * under the feed's dispatch lock, so a reader sees a view and the feed position together.
 */
public final class LiveEngine implements ChangeFeed.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(LiveEngine.class);
    /** How long a view with no subscriber is kept after its last use. The default is 5 minutes. */
    static final Duration IDLE = Duration.ofMinutes(5);
    /** How long a reader waits for a new view to catch up with the feed. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(10);

    private final Definitions definitions;
    private final DatasetCatalog catalog;
    private final Store store;
    private final Clock clock;
    private final ChangeFeed feed;
    private final DeltaSink sink;
    private final Map<ViewKey, View> views = new HashMap<>();
    private final Map<ViewKey, View> booting = new HashMap<>();
    private final ConcurrentHashMap<ViewKey, Object> bootLocks = new ConcurrentHashMap<>();
    private final AtomicLong reconcileMismatches = new AtomicLong();
    /** Views whose dataset was truncated: rebuilt from SQL by the next {@link #tick}. */
    private final Set<ViewKey> truncated = ConcurrentHashMap.newKeySet();
    private final AtomicLong changesApplied = new AtomicLong();

    /** A view's values as of a feed position. */
    public record State(ViewKey key, Position position, Map<String, Object> widgets) {}

    public LiveEngine(Definitions definitions, DatasetCatalog catalog, Store store, Clock clock, ChangeFeed feed, DeltaSink sink) {
        this.definitions = definitions;
        this.catalog = catalog;
        this.store = store;
        this.clock = clock;
        this.feed = feed;
        this.sink = sink;
    }

    public Definitions definitions() {
        return definitions;
    }

    /**
     * Opens a view (bootstrapping it if needed) and runs {@code inLock} with its current state
     * under the dispatch lock, so the caller can register for later deltas with no gap. A
     * subscriber passes {@code subscribe = true} and later calls {@link #release}.
     */
    public <T> T open(ViewKey key, boolean subscribe, Function<State, T> inLock) {
        View view = acquire(key);
        try {
            if (!feed.awaitPosition(view.readyAt, READY_TIMEOUT)) {
                throw new IllegalStateException("view " + key.topic() + " did not catch up with the change feed in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while opening " + key.topic(), e);
        }
        return feed.exclusive(() -> {
            View live = views.get(key);
            if (live == null) {
                throw new IllegalStateException("view " + key.topic() + " was evicted while opening; retry");
            }
            live.lastUsed = clock.millis();
            if (subscribe) {
                live.subscribers++;
            }
            return inLock.apply(new State(key, feed.position(), live.values(live.now)));
        });
    }

    /** The current state of a view, for REST reads. */
    public State state(ViewKey key) {
        return open(key, false, s -> s);
    }

    /** A subscriber of {@code key} went away. */
    public void release(ViewKey key) {
        feed.exclusive(() -> {
            View v = views.get(key);
            if (v != null && v.subscribers > 0) {
                v.subscribers--;
                v.lastUsed = clock.millis();
            }
            return null;
        });
    }

    private View acquire(ViewKey key) {
        View existing = feed.exclusive(() -> views.get(key));
        if (existing != null) {
            return existing;
        }
        synchronized (bootLocks.computeIfAbsent(key, k -> new Object())) {
            existing = feed.exclusive(() -> views.get(key));
            if (existing != null) {
                return existing;
            }
            DashboardDef def = definitions.find(key.dashboard())
                    .orElseThrow(() -> new IllegalArgumentException("unknown dashboard '" + key.dashboard() + "'"));
            View view = Compiler.compile(def, key, catalog);
            feed.exclusive(() -> booting.put(key, view));
            try {
                long now = clock.millis();
                view.now = now;
                Snapshot snap = store.read(s -> {
                    view.bootstrap(sql(s), now);
                    return s;
                });
                feed.exclusive(() -> {
                    booting.remove(key);
                    for (Change c : view.pending) {
                        if (!snap.includes(c)) {
                            view.apply(List.of(c));
                        }
                    }
                    view.pending = null;
                    view.readyAt = snap.position();
                    if (feed.position().sameEpoch(view.readyAt) && feed.position().compareTo(view.readyAt) < 0) {
                        view.alreadyIncluded = snap::includes;
                    }
                    view.lastUsed = now;
                    view.diff(view.now);
                    views.put(key, view);
                    return null;
                });
                return view;
            } catch (RuntimeException e) {
                feed.exclusive(() -> booting.remove(key));
                throw e;
            } finally {
                bootLocks.remove(key);
            }
        }
    }

    private static long nowOf(View v) {
        return v.now;
    }

    @Override
    public void onChanges(List<Change> batch) {
        changesApplied.addAndGet(batch.size());
        for (Change c : batch) {
            if (c.op() == Op.TRUNCATE) {
                // no row images to subtract: every view reading the dataset starts over from SQL
                for (Map<ViewKey, View> m : List.of(views, booting)) {
                    m.forEach((k, v) -> {
                        if (v.reads(c.dataset())) {
                            truncated.add(k);
                        }
                    });
                }
            }
        }
        booting.values().forEach(v -> v.pending.addAll(batch));
        if (views.isEmpty()) {
            return;
        }
        Map<String, List<Change>> byTenant = new LinkedHashMap<>();
        for (Change c : batch) {
            byTenant.computeIfAbsent(c.tenant(), t -> new ArrayList<>()).add(c);
        }
        Position at = batch.get(batch.size() - 1).position();
        for (View v : views.values()) {
            List<Change> mine = byTenant.getOrDefault(v.key.tenant(), List.of());
            if (v.alreadyIncluded != View.NOTHING) {
                mine = mine.stream().filter(c -> !v.alreadyIncluded.test(c)).toList();
                if (at.sameEpoch(v.readyAt) && at.compareTo(v.readyAt) >= 0) {
                    v.alreadyIncluded = View.NOTHING; // the feed has passed everything the snapshot held
                }
            }
            if (mine.isEmpty() || v.apply(mine).isEmpty()) {
                continue;
            }
            if (v.needsRefill()) {
                store.read(s -> {
                    v.refill(sql(s), v.now);
                    return null;
                });
            }
            publish(v, at);
        }
    }

    private void publish(View v, Position at) {
        Map<String, Object> changed = v.diff(v.now);
        if (!changed.isEmpty()) {
            sink.delta(v.key, at, changed);
        }
    }

    /**
     * Moves every view's windows to the clock's now, publishes what changed, and evicts views
     * unwatched for {@link #IDLE}. The server calls this every second; tests call it after
     * moving a fake clock.
     */
    public void tick() {
        long now = clock.millis();
        List<ViewKey> rebuild = new ArrayList<>();
        feed.exclusive(() -> {
            views.values().removeIf(v -> v.subscribers == 0 && now - v.lastUsed > IDLE.toMillis());
            for (View v : views.values()) {
                if (!v.advance(now)) {
                    rebuild.add(v.key);
                    continue;
                }
                v.now = now;
                if (v.needsRefill()) {
                    store.read(s -> {
                        v.refill(sql(s), now);
                        return null;
                    });
                }
                publish(v, feed.position());
            }
            return null;
        });
        rebuild.forEach(this::rebuild);
        for (ViewKey key : List.copyOf(truncated)) {
            boolean stillBooting = feed.exclusive(() -> booting.containsKey(key));
            if (!stillBooting) {
                truncated.remove(key);
                LOG.info("rebuilding view {}: a dataset it reads was truncated", key.topic());
                rebuild(key);
            }
        }
    }

    /** Replaces a view by a fresh bootstrap and publishes whatever differs. */
    private void rebuild(ViewKey key) {
        View old = feed.exclusive(() -> views.remove(key));
        if (old == null) {
            return;
        }
        View fresh = acquire(key);
        feed.exclusive(() -> {
            fresh.subscribers += old.subscribers;
            Map<String, Object> values = fresh.values(fresh.now);
            Map<String, Object> before = old.values(old.now);
            Map<String, Object> changed = new LinkedHashMap<>();
            values.forEach((k, v) -> {
                if (!Objects.equals(v, before.get(k))) {
                    changed.put(k, v);
                }
            });
            if (!changed.isEmpty()) {
                sink.delta(key, feed.position(), changed);
            }
            return null;
        });
    }

    /**
     * Compares every view with SQL at the same position and instant; a mismatch is logged,
     * counted and corrected by a rebuild. Views the feed moved past during the query are checked
     * next time. Returns the number of mismatches found.
     */
    public int reconcile() {
        List<ViewKey> keys = feed.exclusive(() -> List.copyOf(views.keySet()));
        int mismatches = 0;
        for (ViewKey key : keys) {
            Long now = feed.exclusive(() -> views.containsKey(key) ? views.get(key).now : null);
            if (now == null) {
                continue;
            }
            View probe = Compiler.compile(definitions.find(key.dashboard()).orElseThrow(), key, catalog);
            var sqlSide = store.read(s -> Map.entry(s.position(), probe.sqlValues(sql(s), now)));
            Map<String, Object> live = feed.exclusive(() -> {
                View v = views.get(key);
                boolean comparable = v != null && v.now == now && feed.position().equals(sqlSide.getKey());
                return comparable ? v.values(now) : null;
            });
            if (live != null && !Equality.sameValues(live, sqlSide.getValue())) {
                mismatches++;
                reconcileMismatches.incrementAndGet();
                LOG.warn("reconcile: view {} differs from SQL at {}; rebuilding. live={} sql={}", key.topic(), sqlSide.getKey(), live, sqlSide.getValue());
                rebuild(key);
            }
        }
        return mismatches;
    }

    /** Every widget of a view computed by SQL at {@code now}, for reconciliation and tests. */
    public Map<String, Object> sqlValues(ViewKey key, long now) {
        View probe = Compiler.compile(definitions.find(key.dashboard()).orElseThrow(), key, catalog);
        return store.read(s -> probe.sqlValues(sql(s), now));
    }

    public long reconcileMismatches() {
        return reconcileMismatches.get();
    }

    public long changesApplied() {
        return changesApplied.get();
    }

    public int viewCount() {
        return feed.exclusive(views::size);
    }

    static Widget.Sql sql(Snapshot s) {
        return new Widget.Sql() {
            public dev.switchboard.store.Dialect dialect() {
                return s.dialect();
            }

            public List<Row> query(String q, List<Object> params) {
                List<Row> out = new ArrayList<>();
                s.query(q, params, out::add);
                return out;
            }
        };
    }
}
