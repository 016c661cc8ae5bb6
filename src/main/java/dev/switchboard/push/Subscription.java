package dev.switchboard.push;

import dev.switchboard.change.Change;
import dev.switchboard.change.ChangeFeed;
import dev.switchboard.change.Position;
import dev.switchboard.hub.Event;
import dev.switchboard.hub.Hub;
import dev.switchboard.hub.RowScope;
import dev.switchboard.hub.Subscriber;
import dev.switchboard.hub.TopicKind;
import dev.switchboard.live.LiveEngine;
import dev.switchboard.live.ViewKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What one client watches for one tenant: dashboards (view keys) and datasets. {@link #open}
 * builds the opening events — a snapshot per dashboard, or the missed events when the rings or
 * the change log still hold them — and registers for the rest in one command on the feed's
 * owner thread, so the opening and the live events join without a gap or an overlap. Database
 * reads (bootstrap, backfill) and serialization run elsewhere.
 */
public final class Subscription {
    /** How long an opening waits for this node to reach a resume position from a node further along. The default is 5 s. */
    static final Duration AHEAD_WAIT = Duration.ofSeconds(5);
    /** How long an opening waits for its views to load before the client is told to retry. The default is 60 s. */
    static final Duration OPEN_TIMEOUT = Duration.ofSeconds(60);

    private final Streams streams;
    private final String tenant;
    private final List<ViewKey> dashboards;
    private final List<String> datasets;
    /** Which rows of the datasets the client sees: the whole tenant, or its scope's slice. */
    private final RowScope rows;
    /** Topics new to the client: they start with a snapshot (dashboards) or from now (datasets), never a replay or a reset. */
    private final java.util.Set<String> fresh;
    /** Whether a resumed dashboard ends its replay with a delta of every widget (not for polls: they would never wait). */
    private boolean catchUp = true;
    /** On whose behalf views are opened (see {@link LiveEngine#open(List, String, boolean, Duration, java.util.function.Function)}). */
    private String principal = "";
    /** Ephemeral topics (sampled, never stored) the client also receives. */
    private List<String> broadcasts = List.of();
    private boolean subscribed;
    private boolean released;

    Subscription(Streams streams, String tenant, List<ViewKey> dashboards, List<String> datasets, RowScope rows,
                 java.util.Set<String> fresh) {
        this.streams = streams;
        this.rows = rows;
        this.fresh = java.util.Set.copyOf(fresh);
        this.tenant = tenant;
        this.dashboards = List.copyOf(dashboards);
        this.datasets = List.copyOf(datasets);
    }

    /** What the streams of this node share. */
    Streams streams() {
        return streams;
    }

    /** A dashboard state, to be serialized off the owner thread as a snapshot or a catch-up delta. */
    private record Pending(LiveEngine.State state, String type, boolean reset) {}

    /**
     * The events a session sends first, in position order. {@code next} is present when they are
     * one page of a backfill: the subscription is not registered yet, and the session opens again
     * after {@code next} once its client has taken them, as a client reading history page by page
     * would (a scoped slice may have been sent fewer events than the page held).
     */
    public record Opening(List<Event> events, Optional<Position> next) {
        /** Whether this opening registered the subscription (it is not a page of a backfill). */
        public boolean complete() {
            return next.isEmpty();
        }
    }

    /**
     * Registers {@code subscriber} and completes with the events to send first, in position order;
     * or, when the datasets' rings do not reach back to {@code resume} and more than a page of
     * the tenant's changes is missing, completes with the next page of them without registering
     * (see {@link Opening}). A resume position this node has not reached yet (the client came
     * from a node further along) is waited for without holding a thread, up to
     * {@link #AHEAD_WAIT}; after that it counts as unknown and the client gets fresh snapshots
     * and resets. A position beyond every committed change ({@link ChangeFeed#beyondCeiling})
     * counts as unknown at once.
     */
    public CompletableFuture<Opening> open(Optional<Position> resume, Subscriber subscriber) {
        ChangeFeed feed = streams.feed;
        Optional<Position> sameEpoch = resume.filter(p -> p.sameEpoch(feed.position()));
        // a position beyond every committed change (a forged or garbled one) is unknown at once
        CompletableFuture<Boolean> reached = sameEpoch.isEmpty() ? CompletableFuture.completedFuture(true)
                : feed.position().compareTo(sameEpoch.get()) >= 0 ? CompletableFuture.completedFuture(true)
                : CompletableFuture.supplyAsync(() -> feed.beyondCeiling(sameEpoch.get()), streams.workers)
                        .thenCompose(beyond -> beyond ? CompletableFuture.completedFuture(false) : feed.reached(sameEpoch.get(), streams.aheadWait()));
        return reached.thenComposeAsync(ok -> {
            Optional<Position> from = ok ? sameEpoch : Optional.empty();
            return backfill(from).thenCompose(filled -> {
                if (filled.isPresent() && filled.get().more) {
                    return CompletableFuture.completedFuture(new Opening(filled.get().events, Optional.of(filled.get().upto)));
                }
                return streams.engine.open(dashboards, principal, needsSubscribe(), OPEN_TIMEOUT,
                        states -> register(states, from, filled, resume.isPresent(), subscriber))
                        .thenApplyAsync(items -> new Opening(opening(items), Optional.empty()), streams.workers);
            });
        }, streams.workers);
    }

    private synchronized boolean needsSubscribe() {
        return !subscribed;
    }

    /** Owner thread: replays or snapshots, then registration, with nothing published in between. */
    private List<Object> register(List<LiveEngine.State> states, Optional<Position> from, Optional<Backfill> filled, boolean resumed,
                                  Subscriber subscriber) {
        synchronized (this) {
            subscribed = true;
        }
        Hub hub = streams.hub;
        List<Object> out = new ArrayList<>();
        for (LiveEngine.State st : states) {
            boolean isFresh = fresh.contains(st.key().topic());
            Optional<List<Event>> missed = hub.subscribe(TopicKind.DASHBOARD, st.key().topic(), "", isFresh ? Optional.empty() : from, subscriber);
            if (missed.isPresent()) {
                out.addAll(missed.get());
                if (catchUp) {
                    out.add(new Pending(st, "delta", false));
                }
            } else {
                out.add(new Pending(st, "snapshot", resumed && !isFresh));
            }
        }
        for (String b : broadcasts) {
            hub.subscribe(TopicKind.EPHEMERAL, b, "", Optional.empty(), subscriber);
        }
        for (String d : datasets) {
            String topic = rows.topic(tenant, d);
            if (fresh.contains(topic)) {
                hub.subscribe(tenant, d, rows, Optional.empty(), subscriber);
                continue;
            }
            Optional<List<Event>> missed;
            if (filled.isPresent()) {
                // the log up to the boundary, then the ring from there (it still reaches that far
                // unless thousands of changes landed while the log was read)
                Backfill b = filled.get();
                missed = hub.subscribe(tenant, d, rows, Optional.of(b.upto), subscriber).map(ring -> {
                    List<Event> all = new ArrayList<>(b.events.stream().filter(e -> e.topic().equals(topic)).toList());
                    all.addAll(ring);
                    return all;
                });
            } else {
                missed = hub.subscribe(tenant, d, rows, from, subscriber);
            }
            if (resumed) {
                Position now = streams.feed.position();
                missed.ifPresentOrElse(out::addAll, () -> out.add(Hub.event("reset", topic, now, Map.of(
                        "dataset", d, "reason", "the position is too old to resume or unknown; reload the dataset"))));
            }
        }
        return out;
    }

    /** Worker thread: serializes the dashboard states and orders everything by position. */
    private List<Event> opening(List<Object> items) {
        List<Event> out = new ArrayList<>(items.size());
        for (Object o : items) {
            if (o instanceof Pending p) {
                out.add(Hub.event(p.type, p.state.key().topic(), p.state.position(), body(p.state, p.type.equals("snapshot"), p.reset)));
            } else {
                out.add((Event) o);
            }
        }
        out.sort(Comparator.comparing((Event e) -> e.position().seq()).thenComparing(e -> e.type().equals("change") ? 0 : 1));
        return out;
    }

    /**
     * When a dataset's ring no longer reaches back to {@code from}: the next page of this
     * tenant's changes of the watched datasets after {@code from}, up to the feed's position
     * then, read from the store's change log within the node's backfill budget
     * ({@link Streams#backfill}); a scoped slice keeps only what it would have been sent. A page
     * that ends the history ({@code more} false) is followed by the rings; a full one is sent
     * alone and the session continues after it. Empty when there is nothing to fill or it cannot
     * be filled (the log does not reach back that far, the tenant missed more than
     * {@link Streams#BACKFILL_MAX} changes, the budget refused the read): those datasets get a reset.
     */
    private CompletableFuture<Optional<Backfill>> backfill(Optional<Position> from) {
        if (from.isEmpty() || datasets.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        Position after = from.get();
        ChangeFeed feed = streams.feed;
        java.util.Set<String> resumed = new java.util.HashSet<>(datasets.stream().filter(d -> !fresh.contains(rows.topic(tenant, d))).toList());
        return feed.call(() -> {
            boolean behind = resumed.stream().anyMatch(d -> !streams.hub.reaches(rows.kind(), rows.topic(tenant, d), after));
            return Map.entry(feed.position(), behind);
        }).thenCompose(at -> {
            Position upto = at.getKey();
            if (!at.getValue() || !after.sameEpoch(upto) || after.compareTo(upto) >= 0) {
                return CompletableFuture.completedFuture(Optional.<Backfill>empty());
            }
            int page = streams.backfillPage();
            return streams.backfill(() -> {
                List<Change> changes;
                try {
                    changes = feed.historyPage(after, upto, tenant, resumed, page);
                } catch (IllegalArgumentException e) {
                    return Optional.<Backfill>empty(); // below the log's floor: the client reloads
                }
                if (backfilled.addAndGet(changes.size()) > streams.backfillMax) {
                    return Optional.<Backfill>empty(); // too far behind to replay: the client reloads
                }
                streams.backfills.incrementAndGet();
                List<Event> events = new ArrayList<>(changes.size());
                changes.forEach(c -> rows.event(tenant, c).ifPresent(events::add)); // a slice replays only what it would have been sent
                boolean more = changes.size() == page && changes.getLast().position().compareTo(upto) < 0;
                return Optional.of(new Backfill(more ? changes.getLast().position() : upto, events, more));
            }).thenApply(read -> read.flatMap(b -> b));
        });
    }

    /** Changes of the change log this subscription has replayed, over every page. */
    private final java.util.concurrent.atomic.AtomicInteger backfilled = new java.util.concurrent.atomic.AtomicInteger();

    /** Change events of the log after the resume position up to {@code upto}, in order; {@code more} when a page ended them. */
    private record Backfill(Position upto, List<Event> events, boolean more) {}

    /**
     * A resumed dashboard gets only the deltas it missed, without a final delta of every widget:
     * for polls, whose client holds the state at the position it sent, so that an idle dashboard
     * lets the poll wait.
     */
    public Subscription withoutCatchUp() {
        catchUp = false;
        return this;
    }

    /**
     * Views this subscription creates count against {@code principal} (a token subject or a
     * client address), whose live views are capped; returns this subscription.
     */
    public Subscription by(String principal) {
        this.principal = principal;
        return this;
    }

    /**
     * Also receives the events of these {@link TopicKind#EPHEMERAL} topics (e.g. a node's load,
     * sampled at an interval): from registration on, never replayed, written without an id.
     */
    public Subscription withBroadcasts(List<String> topics) {
        broadcasts = List.copyOf(topics);
        return this;
    }

    /** Leaves the topics (a resynchronization follows with a new subscriber). Any thread. */
    public void leave(Subscriber subscriber) {
        streams.feed.execute(() -> {
            dashboards.forEach(k -> streams.hub.unsubscribe(k.topic(), subscriber));
            datasets.forEach(d -> streams.hub.unsubscribe(rows.topic(tenant, d), subscriber));
            broadcasts.forEach(b -> streams.hub.unsubscribe(b, subscriber));
        });
    }

    /**
     * Leaves the topics and releases the views, once they were counted. Any thread; call it again
     * when an opening completes after the client left, so its views are released too.
     */
    public void close(Subscriber subscriber) {
        leave(subscriber);
        boolean release;
        synchronized (this) {
            release = subscribed && !released;
            released |= subscribed;
        }
        if (release) {
            streams.engine.release(dashboards);
        }
    }

    static Map<String, Object> body(LiveEngine.State s, boolean snapshot, boolean reset) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("dashboard", s.key().dashboard());
        b.put("tenant", s.key().tenant());
        if (!s.key().scope().isEmpty()) {
            b.put("scope", s.key().scope());
            b.put("subject", s.key().subject());
        }
        if (!s.key().params().isEmpty()) {
            b.put("params", s.key().params());
        }
        b.put("position", s.position().toString());
        if (snapshot) {
            b.put("reset", reset);
        }
        b.put("widgets", s.widgets());
        return b;
    }

    public String tenant() {
        return tenant;
    }

    public List<ViewKey> dashboards() {
        return dashboards;
    }

    public List<String> datasets() {
        return datasets;
    }

    /** Which rows of its datasets the client sees. */
    public RowScope rows() {
        return rows;
    }

    /** The topic names this subscription watches. */
    public java.util.Set<String> topics() {
        java.util.Set<String> t = new java.util.LinkedHashSet<>();
        dashboards.forEach(k -> t.add(k.topic()));
        datasets.forEach(d -> t.add(rows.topic(tenant, d)));
        t.addAll(broadcasts);
        return t;
    }
}
