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
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every watched view exact. All view state belongs to the feed's owner thread: batches and
 * the passing of time are applied there, and every other request (open a view, release it, tick,
 * reconcile) is a command handed to it. Work that needs the database (bootstrapping a view,
 * refilling a list, rebuilding) runs on the loader threads and hands its result back at a
 * position, with the bootstrap rule that keeps it exact: changes dispatched while the query ran
 * are buffered and re-applied unless the query's snapshot already holds them.
 */
public final class LiveEngine implements ChangeFeed.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(LiveEngine.class);
    /** How long a view with no subscriber is kept after its last use. The default is 5 minutes. */
    static final Duration IDLE = Duration.ofMinutes(5);
    /** How long an opening waits for its views to be bootstrapped and caught up. The default is 10 s. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(10);
    /** Threads running database work for views. The default is 4. */
    static final int LOADERS = 4;
    /**
     * Live views one tenant may have (each distinct scope subject and parameter set is a view of
     * about 100 KB plus the rows of its windows). Opening one more is refused with {@link TooManyViews} until idle ones are
     * evicted. The default is 1,000.
     */
    public static final int MAX_VIEWS_PER_TENANT = 1000;
    /**
     * Live views one principal (a token subject, or a client address without one) may have
     * created and not yet seen evicted, so that one viewer varying {@code ?sub=} or parameters
     * cannot take its whole tenant's budget, nor multiply the work every change of the tenant
     * costs the owner thread. Opening an existing view never counts. The default is 20.
     */
    public static final int MAX_VIEWS_PER_PRINCIPAL = 20;

    /** A view could not be made ready in time: the node is busy (loading views, or behind); the caller may retry. */
    public static final class Busy extends IllegalStateException {
        Busy(String message) {
            super(message);
        }
    }

    /** Opening a view was refused: the tenant or the principal has as many live views as allowed. */
    public static final class TooManyViews extends IllegalStateException {
        TooManyViews(String message) {
            super(message);
        }

        static TooManyViews ofTenant(String tenant, int limit) {
            return new TooManyViews("tenant '" + tenant + "' has " + limit + " live views (one per distinct scope subject and"
                    + " parameters), the most allowed; close some streams or wait for idle views to be evicted, then retry");
        }

        static TooManyViews ofPrincipal(String principal, int limit) {
            return new TooManyViews(principal + " has opened " + limit + " live views (one per distinct scope subject and"
                    + " parameters), the most one principal may hold; reuse the views you have (same sub and params),"
                    + " or wait for idle ones to be evicted, then retry");
        }
    }

    private final Duration idle;
    private volatile int maxViewsPerTenant = MAX_VIEWS_PER_TENANT;
    private volatile int maxViewsPerPrincipal = MAX_VIEWS_PER_PRINCIPAL;
    private final Definitions definitions;
    private final DatasetCatalog catalog;
    private final Store store;
    private final Clock clock;
    private final ChangeFeed feed;
    private final DeltaSink sink;
    private final Executor loader;
    private final Executor completions = Executors.newVirtualThreadPerTaskExecutor();
    // ---- owner-thread state ----
    private final Map<ViewKey, View> views = new HashMap<>();
    private final Map<String, TenantViews> viewsByTenant = new HashMap<>();
    private final Map<ViewKey, Boot> booting = new HashMap<>();
    /** Who caused each view (live or booting) to be created, and how many each principal has. */
    private final Map<ViewKey, String> creators = new HashMap<>();
    private final Map<String, Integer> createdBy = new HashMap<>();
    /** Openings waiting, each under the first of its views that is not ready. */
    private final Map<ViewKey, List<Opening<?>>> waiting = new HashMap<>();
    /** Views that may have become ready since the owner last looked: their openings are tried after the work. */
    private final Set<ViewKey> woken = new HashSet<>();
    /** Live views whose snapshot is ahead of the feed: ready once the feed passes it. */
    private final Set<ViewKey> lagging = new HashSet<>();
    // ---- counters, readable anywhere ----
    private final AtomicLong reconcileMismatches = new AtomicLong();
    private final AtomicLong changesApplied = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile int viewCount;
    private volatile int bootingCount;

    /** A view's values as of a feed position. */
    public record State(ViewKey key, Position position, Map<String, Object> widgets) {}

    /** A bootstrap in flight; {@code restart} when a truncate made its snapshot useless. */
    private static final class Boot {
        final View view;
        final long started = System.nanoTime();
        boolean restart;

        Boot(View view) {
            this.view = view;
        }
    }

    private record Opening<T>(List<ViewKey> keys, String principal, boolean subscribe, Function<List<State>, T> onOwner, CompletableFuture<T> done,
                              long deadlineNanos) {}

    /** The clock views compute windows with. */
    public Clock clock() {
        return clock;
    }

    public LiveEngine(Definitions definitions, DatasetCatalog catalog, Store store, Clock clock, ChangeFeed feed, DeltaSink sink) {
        this(definitions, catalog, store, clock, feed, sink, IDLE);
    }

    /** An engine evicting views unwatched for {@code idle}. */
    public LiveEngine(Definitions definitions, DatasetCatalog catalog, Store store, Clock clock, ChangeFeed feed, DeltaSink sink, Duration idle) {
        this(definitions, catalog, store, clock, feed, sink, Executors.newFixedThreadPool(LOADERS,
                Thread.ofPlatform().daemon().name("sb-loader-", 0).factory()), idle);
    }

    /** An engine whose database work runs on {@code loader}. */
    public LiveEngine(Definitions definitions, DatasetCatalog catalog, Store store, Clock clock, ChangeFeed feed, DeltaSink sink,
                      Executor loader, Duration idle) {
        this.idle = idle;
        this.definitions = definitions;
        this.catalog = catalog;
        this.store = store;
        this.clock = clock;
        this.feed = feed;
        this.sink = sink;
        this.loader = loader;
    }

    /** Sets the most live views one tenant may have (see {@link #MAX_VIEWS_PER_TENANT}). */
    private volatile java.util.function.Function<String, java.util.Optional<java.time.ZoneId>> tenantZones = t -> java.util.Optional.empty();

    /**
     * Each tenant's time zone (for calendar windows, day and hour buckets), where one is set; other
     * tenants use their dashboards' zone (UTC in the built-in packs). Set before views exist.
     */
    public LiveEngine tenantZones(java.util.function.Function<String, java.util.Optional<java.time.ZoneId>> zones) {
        this.tenantZones = zones;
        return this;
    }

    /** The zone views of {@code tenant} on {@code def} compute in. */
    public java.time.ZoneId zoneOf(String tenant, DashboardDef def) {
        return tenantZones.apply(tenant).orElse(def.zone());
    }

    public LiveEngine maxViewsPerTenant(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("a tenant needs at least one view; was " + max);
        }
        this.maxViewsPerTenant = max;
        return this;
    }

    /** Sets the most live views one principal may have created (see {@link #MAX_VIEWS_PER_PRINCIPAL}). */
    public LiveEngine maxViewsPerPrincipal(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("a principal needs at least one view; was " + max);
        }
        this.maxViewsPerPrincipal = max;
        return this;
    }

    public Definitions definitions() {
        return definitions;
    }

    /**
     * Opens the views of {@code keys} (bootstrapping those that are new) and, once every one is
     * live and caught up with the feed, runs {@code onOwner} with their states on the owner
     * thread: there the caller registers for later deltas with no gap. With {@code subscribe}
     * the views count one more subscriber each, until {@link #release}. The future completes off
     * the owner thread, exceptionally when a view cannot be opened within {@link #READY_TIMEOUT}.
     */
    public <T> CompletableFuture<T> open(List<ViewKey> keys, boolean subscribe, Function<List<State>, T> onOwner) {
        return open(keys, "", subscribe, READY_TIMEOUT, onOwner);
    }

    /**
     * {@link #open} waiting up to {@code timeout}: a stream, which holds no thread while it waits,
     * may wait longer than a REST read (a reconnect storm queues many bootstraps).
     */
    public <T> CompletableFuture<T> open(List<ViewKey> keys, boolean subscribe, Duration timeout, Function<List<State>, T> onOwner) {
        return open(keys, "", subscribe, timeout, onOwner);
    }

    /**
     * {@link #open} on behalf of {@code principal} (who asks: a token subject or a client address;
     * empty for nobody in particular), whose views created and not yet evicted are capped at
     * {@link #maxViewsPerPrincipal}. Views of the keys that are new count against the principal
     * and the tenant; when either is at its limit nothing is opened and the future fails with
     * {@link TooManyViews}.
     */
    public <T> CompletableFuture<T> open(List<ViewKey> keys, String principal, boolean subscribe, Duration timeout,
                                         Function<List<State>, T> onOwner) {
        for (ViewKey k : keys) {
            definitions.find(k.dashboard()).orElseThrow(() -> new IllegalArgumentException("unknown dashboard '" + k.dashboard() + "'"));
        }
        CompletableFuture<T> done = new CompletableFuture<>();
        Opening<T> o = new Opening<>(List.copyOf(keys), principal, subscribe, onOwner, done, System.nanoTime() + timeout.toNanos());
        feed.execute(() -> {
            List<ViewKey> fresh = o.keys.stream().filter(k -> !views.containsKey(k) && !booting.containsKey(k)).distinct().toList();
            Map<String, Integer> perTenant = new HashMap<>();
            fresh.forEach(k -> perTenant.merge(k.tenant(), 1, Integer::sum));
            for (Map.Entry<String, Integer> t : perTenant.entrySet()) {
                if (viewsOf(t.getKey()) + t.getValue() > maxViewsPerTenant) {
                    completions.execute(() -> o.done.completeExceptionally(TooManyViews.ofTenant(t.getKey(), maxViewsPerTenant)));
                    return;
                }
            }
            if (!principal.isEmpty() && !fresh.isEmpty() && createdBy.getOrDefault(principal, 0) + fresh.size() > maxViewsPerPrincipal) {
                completions.execute(() -> o.done.completeExceptionally(TooManyViews.ofPrincipal(principal, maxViewsPerPrincipal)));
                return;
            }
            for (ViewKey k : fresh) {
                creators.put(k, principal);
                createdBy.merge(principal, 1, Integer::sum);
                boot(k);
            }
            park(o);
        });
        return done;
    }

    /** The current state of a view, for REST reads; waits up to {@link #READY_TIMEOUT}. */
    public State state(ViewKey key) {
        return state(key, "");
    }

    /** {@link #state(ViewKey)} on behalf of {@code principal} (see {@link #open(List, String, boolean, Duration, Function)}). */
    public State state(ViewKey key, String principal) {
        return join(open(List.of(key), principal, false, READY_TIMEOUT, states -> states.get(0)), READY_TIMEOUT.plusSeconds(5));
    }

    /** Subscribers of {@code keys} went away. */
    public void release(List<ViewKey> keys) {
        feed.execute(() -> {
            long now = clock.millis();
            for (ViewKey key : keys) {
                View v = views.get(key);
                if (v != null && v.subscribers > 0) {
                    v.subscribers--;
                    v.lastUsed = now;
                }
            }
        });
    }

    private boolean ready(ViewKey key) {
        View v = views.get(key);
        if (v == null || booting.containsKey(key) || v.refilling != null || v.broken) {
            return false;
        }
        Position at = feed.position();
        return !at.sameEpoch(v.readyAt) || at.compareTo(v.readyAt) >= 0;
    }

    private <T> boolean tryOpen(Opening<T> o) {
        for (ViewKey k : o.keys) {
            if (!ready(k)) {
                return false;
            }
        }
        long now = clock.millis();
        List<State> states = new ArrayList<>(o.keys.size());
        for (ViewKey k : o.keys) {
            View v = views.get(k);
            v.lastUsed = now;
            states.add(new State(k, feed.position(), v.values(v.now)));
        }
        T result;
        try {
            result = o.onOwner.apply(states);
        } catch (RuntimeException e) {
            completions.execute(() -> o.done.completeExceptionally(e));
            return true;
        }
        if (o.subscribe) {
            o.keys.forEach(k -> views.get(k).subscribers++);
        }
        completions.execute(() -> o.done.complete(result));
        return true;
    }

    /** Serves {@code o} now if every view is ready, else waits under the first one that is not. */
    private void park(Opening<?> o) {
        for (ViewKey k : o.keys) {
            if (!ready(k)) {
                waiting.computeIfAbsent(k, x -> new ArrayList<>()).add(o);
                return;
            }
        }
        tryOpen(o);
    }

    /** Tries again the openings waiting on views that may have become ready. */
    private void serveOpenings() {
        while (!woken.isEmpty()) {
            List<ViewKey> keys = List.copyOf(woken);
            woken.clear();
            for (ViewKey k : keys) {
                if (!ready(k)) {
                    continue;
                }
                List<Opening<?>> os = waiting.remove(k);
                if (os != null) {
                    os.forEach(this::park);
                }
            }
        }
    }

    /** Fails the openings past their deadline (every tick). */
    private void expireOpenings() {
        long nanos = System.nanoTime();
        for (Iterator<Map.Entry<ViewKey, List<Opening<?>>>> it = waiting.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<ViewKey, List<Opening<?>>> e = it.next();
            e.getValue().removeIf(o -> {
                if (nanos - o.deadlineNanos <= 0) {
                    return false;
                }
                completions.execute(() -> o.done.completeExceptionally(new Busy(
                        "view " + e.getKey().topic() + " was not ready in time (this node is busy loading views); retry")));
                return true;
            });
            if (e.getValue().isEmpty()) {
                it.remove();
            }
        }
    }

    /** Fails the openings that wait for {@code key}, which could not be loaded. */
    private void failOpenings(ViewKey key, RuntimeException cause) {
        List<Opening<?>> os = waiting.remove(key);
        if (os != null) {
            for (Opening<?> o : os) {
                completions.execute(() -> o.done.completeExceptionally(
                        new IllegalStateException("view " + key.topic() + " could not be loaded: " + cause.getMessage(), cause)));
            }
        }
    }

    // ------------------------------------------------------------------ bootstrap and rebuild

    /** Starts a bootstrap of {@code key} (owner thread); a live view of the key keeps serving until it is done. */
    private void boot(ViewKey key) {
        DashboardDef def = definitions.find(key.dashboard()).orElseThrow();
        View view = Compiler.compile(def, key, catalog, zoneOf(key.tenant(), def));
        Boot b = new Boot(view);
        booting.put(key, b);
        bootingCount = booting.size();
        long now = clock.millis();
        view.now = now;
        loader.execute(() -> {
            try {
                Snapshot snap = store.read(s -> {
                    view.bootstrap(sql(s), now);
                    return s;
                });
                feed.execute(() -> booted(key, b, snap));
            } catch (RuntimeException e) {
                feed.execute(() -> bootFailed(key, b, e));
            }
        });
    }

    private void booted(ViewKey key, Boot b, Snapshot snap) {
        if (booting.get(key) != b) {
            return;
        }
        booting.remove(key);
        bootingCount = booting.size();
        if (b.restart) {
            boot(key);
            return;
        }
        View view = b.view;
        try {
            for (Change c : view.pending) {
                if (!snap.includes(c)) {
                    view.apply(List.of(c));
                }
            }
        } catch (RuntimeException e) {
            failed("applying changes to the new view " + key.topic(), e);
            boot(key);
            return;
        }
        view.pending = null;
        long took = System.nanoTime() - b.started;
        bootstrapListeners.forEach(l -> l.accept(took));
        view.readyAt = snap.position();
        view.includedUntil = snap.horizon();
        if (feed.position().sameEpoch(view.includedUntil) && feed.position().compareTo(view.includedUntil) < 0) {
            view.alreadyIncluded = snap::includes;
            lagging.add(key);
        }
        view.lastUsed = clock.millis();
        View old = views.get(key);
        if (old != null) {
            // a rebuild: the new view takes over the old one's subscribers and publishes what differs
            view.subscribers = old.subscribers;
            view.published(old.publishedValues());
            view.adoptSamples(old);
        }
        put(view);
        if (view.needsRefill()) {
            refill(view);
        } else {
            publish(view, feed.position());
        }
        woken.add(key);
    }

    private void bootFailed(ViewKey key, Boot b, RuntimeException e) {
        if (booting.get(key) != b) {
            return;
        }
        booting.remove(key);
        bootingCount = booting.size();
        failed("bootstrapping view " + key.topic(), e);
        failOpenings(key, e);
        View old = views.get(key);
        if (old != null) {
            old.broken = true; // the next tick tries again
        } else {
            forgetCreator(key);
        }
    }

    /** Replaces a view by a fresh bootstrap (owner thread). */
    private void rebuild(ViewKey key) {
        Boot b = booting.get(key);
        if (b != null) {
            b.restart = true;
        } else {
            boot(key);
        }
    }

    private int viewsOf(String tenant) {
        TenantViews live = viewsByTenant.get(tenant);
        int n = live == null ? 0 : live.size();
        for (ViewKey k : booting.keySet()) {
            if (k.tenant().equals(tenant) && (live == null || !live.containsKey(k))) {
                n++;
            }
        }
        return n;
    }

    private void put(View v) {
        views.put(v.key, v);
        viewsByTenant.computeIfAbsent(v.key.tenant(), t -> new TenantViews()).put(v);
        viewCount = views.size();
    }

    /** The view of {@code key} is gone: it no longer counts against the principal that created it. */
    private void forgetCreator(ViewKey key) {
        String who = creators.remove(key);
        if (who != null) {
            createdBy.computeIfPresent(who, (w, n) -> n <= 1 ? null : n - 1);
        }
    }

    private void remove(ViewKey key) {
        forgetCreator(key);
        views.remove(key);
        TenantViews m = viewsByTenant.get(key.tenant());
        if (m != null) {
            m.remove(key);
            if (m.isEmpty()) {
                viewsByTenant.remove(key.tenant());
            }
        }
        viewCount = views.size();
    }

    // ------------------------------------------------------------------ refill

    /** Reads fresh rows for the view's short lists on a loader thread; the view holds its deltas meanwhile. */
    private void refill(View v) {
        List<ListWidget> lists = v.staleLists();
        if (lists.isEmpty() || v.refilling != null) {
            return;
        }
        long now = v.now;
        v.refilling = new ArrayList<>();
        loader.execute(() -> {
            try {
                Map<ListWidget, List<Row>> rows = new HashMap<>();
                Snapshot snap = store.read(s -> {
                    Widget.Sql sql = sql(s);
                    lists.forEach(l -> rows.put(l, l.refillRows(sql, now)));
                    return s;
                });
                feed.execute(() -> refilled(v, snap, rows, now));
            } catch (RuntimeException e) {
                feed.execute(() -> {
                    v.refilling = null;
                    failed("refilling lists of " + v.key.topic() + " (retried at the next tick)", e);
                    woken.add(v.key);
                });
            }
        });
    }

    private void refilled(View v, Snapshot snap, Map<ListWidget, List<Row>> rows, long queriedAt) {
        if (views.get(v.key) != v) {
            return; // replaced meanwhile
        }
        List<Change> during = v.refilling;
        v.refilling = null;
        try {
            v.installRefill(rows, queriedAt);
            for (Change c : during) {
                if (!snap.includes(c)) {
                    v.applyToLists(c, rows.keySet());
                }
            }
            if (v.now != queriedAt) {
                rows.keySet().forEach(l -> l.advance(v.now));
            }
        } catch (RuntimeException e) {
            failed("installing a refill of " + v.key.topic(), e);
            v.broken = true;
            rebuild(v.key);
            return;
        }
        if (v.needsRefill()) {
            refill(v);
        } else {
            publish(v, feed.position());
        }
        woken.add(v.key);
    }

    // ------------------------------------------------------------------ the feed

    @Override
    public void onChanges(List<Change> batch) {
        changesApplied.addAndGet(batch.size());
        Map<String, List<Change>> byTenant = new LinkedHashMap<>();
        for (Change c : batch) {
            if (c.op() == Op.TRUNCATE) {
                truncated(c.dataset());
            } else {
                byTenant.computeIfAbsent(c.tenant(), t -> new ArrayList<>()).add(c);
            }
        }
        for (Boot b : booting.values()) {
            b.view.pending.addAll(batch);
        }
        Position at = batch.get(batch.size() - 1).position();
        for (Map.Entry<String, List<Change>> e : byTenant.entrySet()) {
            TenantViews tenantViews = viewsByTenant.get(e.getKey());
            if (tenantViews == null) {
                continue;
            }
            // only the views a change can touch get it (scoped views by their subject's value)
            tenantViews.route(e.getValue()).forEach((v, mine) -> apply(v, mine, at));
        }
        for (Iterator<ViewKey> it = lagging.iterator(); it.hasNext(); ) {
            ViewKey k = it.next();
            View v = views.get(k);
            if (v == null) {
                it.remove();
            } else if (!at.sameEpoch(v.includedUntil) || at.compareTo(v.includedUntil) >= 0) {
                v.alreadyIncluded = View.NOTHING; // the feed has passed everything the snapshot held
                it.remove();
                woken.add(k);
            } else if (at.compareTo(v.readyAt) >= 0) {
                woken.add(k); // ready to serve; changes up to the horizon are still checked against the snapshot
            }
        }
    }

    /** After each batch (the feed's position now includes it) and each command: openings that became ready are served. */
    @Override
    public void afterWork() {
        serveOpenings();
    }

    private void apply(View v, List<Change> changes, Position at) {
        if (v.broken) {
            return; // its rebuild buffers these changes
        }
        List<Change> mine = changes;
        if (v.alreadyIncluded != View.NOTHING) {
            mine = mine.stream().filter(c -> !v.alreadyIncluded.test(c)).toList();
        }
        if (mine.isEmpty()) {
            return;
        }
        try {
            boolean touched = !v.apply(mine).isEmpty();
            if (v.refilling != null) {
                v.refilling.addAll(mine); // all of them: a row the short list lacks now may be in the refill's rows
                return; // the refill publishes when it lands
            }
            if (!touched) {
                return;
            }
        } catch (RuntimeException e) {
            // never skip a change silently: the view is rebuilt from SQL and its subscribers get what differs
            failed("applying changes up to " + at + " to " + v.key.topic() + " (rebuilding it)", e);
            v.broken = true;
            rebuild(v.key);
            return;
        }
        if (v.needsRefill()) {
            refill(v);
            return;
        }
        publish(v, at);
    }

    /** A dataset was emptied for every tenant: every view reading it starts over from SQL. */
    private void truncated(String dataset) {
        for (View v : List.copyOf(views.values())) {
            if (v.reads(dataset)) {
                rebuild(v.key);
            }
        }
        for (Boot b : booting.values()) {
            if (b.view.reads(dataset)) {
                b.restart = true;
            }
        }
    }

    private void publish(View v, Position at) {
        Map<String, Object> changed = v.diff(v.now);
        if (!changed.isEmpty()) {
            sink.delta(v.key, at, changed);
        }
        if (!v.alerts.isEmpty() && (!changed.isEmpty() || v.alerts.pending())) {
            for (Map<String, Object> a : v.alerts.evaluate(v.key, v.values(v.now), v.now)) {
                recentAlerts.computeIfAbsent(v.key.tenant(), t -> new java.util.ArrayDeque<>()).addFirst(a);
                java.util.Deque<Map<String, Object>> recent = recentAlerts.get(v.key.tenant());
                while (recent.size() > RECENT_ALERTS) {
                    recent.removeLast();
                }
                sink.alert(v.key, at, a);
                alertListeners.forEach(l -> l.accept(a));
            }
        }
    }

    /** Alerts kept per tenant for {@link #alerts}. */
    static final int RECENT_ALERTS = 100;
    private final Map<String, java.util.Deque<Map<String, Object>>> recentAlerts = new HashMap<>();
    private final List<java.util.function.Consumer<Map<String, Object>>> alertListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final List<java.util.function.LongConsumer> bootstrapListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Tells {@code listener} how long each view took to bootstrap, in nanoseconds (owner thread; must not block). */
    public void onBootstrapped(java.util.function.LongConsumer listener) {
        bootstrapListeners.add(listener);
    }

    /** Also tells {@code listener} of every alert that fires or resolves (on the owner thread: it must not block). */
    public void onAlert(java.util.function.Consumer<Map<String, Object>> listener) {
        alertListeners.add(listener);
    }

    /**
     * The alerts of {@code tenant} on this node: those firing now (in the views it holds) and the
     * last {@link #RECENT_ALERTS} that fired or resolved, newest first, each with its view's scope
     * and subject so a caller can filter them.
     */
    public Map<String, List<Map<String, Object>>> alerts(String tenant) {
        return feed.await(() -> {
            List<Map<String, Object>> firing = new ArrayList<>();
            TenantViews mine = viewsByTenant.get(tenant);
            (mine == null ? List.<View>of() : mine.all().values()).forEach(v -> firing.addAll(v.alerts.firing(v.key)));
            List<Map<String, Object>> recent = new ArrayList<>(recentAlerts.getOrDefault(tenant, new java.util.ArrayDeque<>()));
            return Map.of("firing", firing, "recent", recent);
        }, Duration.ofSeconds(10));
    }

    // ------------------------------------------------------------------ time

    /**
     * Moves every view's windows to the clock's now, publishes what changed, evicts views
     * unwatched for {@link #IDLE}, and retries failed work. The server calls this every second;
     * tests call it after moving a fake clock. Waits until the owner has done it.
     */
    public void tick() {
        feed.await(() -> {
            tickOnOwner();
            return null;
        }, Duration.ofSeconds(30));
    }

    private void tickOnOwner() {
        long now = clock.millis();
        expireOpenings();
        Set<ViewKey> wanted = new HashSet<>();
        waiting.values().forEach(os -> os.forEach(o -> wanted.addAll(o.keys)));
        for (View v : List.copyOf(views.values())) {
            if (v.subscribers == 0 && now - v.lastUsed > idle.toMillis() && !wanted.contains(v.key) && !booting.containsKey(v.key)) {
                remove(v.key);
            }
        }
        for (View v : List.copyOf(views.values())) {
            if (booting.containsKey(v.key)) {
                continue; // replaced soon
            }
            if (v.broken) {
                rebuild(v.key);
                continue;
            }
            if (!v.advance(now)) {
                rebuild(v.key); // the clock went back
                continue;
            }
            v.now = now;
            if (v.refilling != null) {
                continue;
            }
            if (v.needsRefill()) {
                refill(v);
            } else {
                publish(v, feed.position());
            }
        }
        serveOpenings();
    }

    // ------------------------------------------------------------------ reconcile

    /**
     * Compares every view with SQL at the same position and instant; a mismatch is logged,
     * counted and corrected by a rebuild, which this waits for. Views the feed moved past during
     * the query are checked next time. Runs its SQL on the calling thread; returns the number of
     * mismatches found.
     */
    public int reconcile() {
        Map<ViewKey, Long> keys = feed.await(() -> {
            Map<ViewKey, Long> m = new LinkedHashMap<>();
            views.forEach((k, v) -> m.put(k, v.now));
            return m;
        }, Duration.ofSeconds(30));
        int mismatches = 0;
        for (Map.Entry<ViewKey, Long> e : keys.entrySet()) {
            ViewKey key = e.getKey();
            long now = e.getValue();
            View probe = Compiler.compile(definitions.find(key.dashboard()).orElseThrow(), key, catalog,
                    zoneOf(key.tenant(), definitions.find(key.dashboard()).orElseThrow()));
            var sqlSide = store.read(s -> Map.entry(s.position(), probe.sqlValues(sql(s), now)));
            Map<String, Object> live = feed.await(() -> {
                View v = views.get(key);
                boolean comparable = v != null && ready(key) && v.now == now && feed.position().equals(sqlSide.getKey());
                return comparable ? v.values(now) : null;
            }, Duration.ofSeconds(30));
            if (live != null) {
                // a sample's record cannot be queried (its source is compared instead)
                probe.sampled().forEach(n -> sqlSide.getValue().put(n, live.get(n)));
            }
            if (live != null && !Equality.sameValues(live, sqlSide.getValue())) {
                mismatches++;
                reconcileMismatches.incrementAndGet();
                LOG.warn("reconcile: view {} differs from SQL at {}; rebuilding. live={} sql={}", key.topic(), sqlSide.getKey(), live,
                        sqlSide.getValue());
                feed.execute(() -> rebuild(key));
                try {
                    state(key);
                } catch (RuntimeException ex) {
                    LOG.warn("reconcile: rebuilding {} failed: {}", key.topic(), ex.getMessage());
                }
            }
        }
        return mismatches;
    }

    /**
     * Every widget of a view computed by SQL at {@code now}, for reconciliation and tests. A sample
     * widget's record of past values cannot be queried: it is the live view's record (empty when
     * the view is not live), and its source widget is what SQL checks.
     */
    public Map<String, Object> sqlValues(ViewKey key, long now) {
        View probe = Compiler.compile(definitions.find(key.dashboard()).orElseThrow(), key, catalog,
                    zoneOf(key.tenant(), definitions.find(key.dashboard()).orElseThrow()));
        Map<String, Object> out = store.read(s -> probe.sqlValues(sql(s), now));
        if (!probe.sampled().isEmpty()) {
            Map<String, Object> live = feed.await(() -> {
                View v = views.get(key);
                return v == null ? Map.<String, Object>of() : v.values(v.now);
            }, Duration.ofSeconds(30));
            probe.sampled().forEach(n -> out.put(n, live.getOrDefault(n, List.of())));
        }
        return out;
    }

    private void failed(String what, RuntimeException e) {
        failures.incrementAndGet();
        LOG.error("{} failed", what, e);
    }

    public long reconcileMismatches() {
        return reconcileMismatches.get();
    }

    public long changesApplied() {
        return changesApplied.get();
    }

    /** Failures of view work (a change that could not be applied, a bootstrap or refill query) since start; each was repaired or retried. */
    public long failures() {
        return failures.get();
    }

    public int viewCount() {
        return viewCount;
    }

    /** Views being bootstrapped or rebuilt now. */
    public int bootingCount() {
        return bootingCount;
    }

    private static <T> T join(CompletableFuture<T> f, Duration timeout) {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (TimeoutException e) {
            throw new Busy("no answer within " + timeout.toSeconds() + " s (this node is busy); retry");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
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
