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
import java.util.HashMap;
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
    /** How long an opening waits for this node to reach a resume position from a node further along. */
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
     * Registers {@code subscriber} and completes with the events to send first, in position order.
     * A resume position this node has not reached yet (the client came from a node further along)
     * is waited for without holding a thread, up to {@link #AHEAD_WAIT}; after that it counts as
     * unknown and the client gets fresh snapshots and resets.
     */
    public CompletableFuture<List<Event>> open(Optional<Position> resume, Subscriber subscriber) {
        ChangeFeed feed = streams.feed;
        Optional<Position> sameEpoch = resume.filter(p -> p.sameEpoch(feed.position()));
        CompletableFuture<Boolean> reached = sameEpoch.isPresent() ? feed.reached(sameEpoch.get(), AHEAD_WAIT)
                : CompletableFuture.completedFuture(true);
        return reached.thenComposeAsync(ok -> {
            Optional<Position> from = ok ? sameEpoch : Optional.empty();
            return backfill(from).thenCompose(filled -> streams.engine.open(dashboards, needsSubscribe(), OPEN_TIMEOUT,
                    states -> register(states, from, filled, resume.isPresent(), subscriber)));
        }, streams.workers).thenApplyAsync(this::opening, streams.workers);
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
            Optional<Backfill> mine = filled.filter(b -> b.events.containsKey(d));
            if (mine.isPresent()) {
                // the log up to the boundary, then the ring from there (it still reaches that far
                // unless thousands of changes landed while the log was read)
                missed = hub.subscribe(tenant, d, rows, Optional.of(mine.get().upto), subscriber).map(ring -> {
                    List<Event> all = new ArrayList<>(mine.get().events.get(d));
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
     * For each dataset whose ring no longer reaches back to {@code from}, the change events of this
     * tenant after {@code from} up to the feed's position, read from the store's change log on a
     * backfill thread (a node runs few at once). Datasets left out of the result could not be
     * filled (the log does not reach back that far, or the tenant missed more than
     * {@link Streams#BACKFILL_MAX} changes) and get a reset.
     */
    private CompletableFuture<Optional<Backfill>> backfill(Optional<Position> from) {
        if (from.isEmpty() || datasets.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        Position after = from.get();
        ChangeFeed feed = streams.feed;
        return feed.call(() -> {
            List<String> behind = datasets.stream().filter(d -> !fresh.contains(rows.topic(tenant, d)))
                    .filter(d -> !streams.hub.reaches(rows.kind(), rows.topic(tenant, d), after)).toList();
            return Map.entry(feed.position(), behind);
        }).thenApplyAsync(at -> {
            Position upto = at.getKey();
            List<String> behind = at.getValue();
            if (behind.isEmpty() || !after.sameEpoch(upto) || after.compareTo(upto) >= 0) {
                return Optional.<Backfill>empty();
            }
            Map<String, List<Event>> events = new HashMap<>();
            behind.forEach(d -> events.put(d, new ArrayList<>()));
            try {
                for (Change c : feed.history(after, upto, tenant, streams.backfillMax)) {
                    List<Event> list = events.get(c.dataset());
                    if (list != null) {
                        rows.event(tenant, c).ifPresent(list::add); // a slice replays only what it would have been sent
                    }
                }
            } catch (IllegalArgumentException e) {
                return Optional.empty(); // below the log's floor, or a gap too wide to replay: the client reloads
            }
            streams.backfills.incrementAndGet();
            return Optional.of(new Backfill(upto, events));
        }, streams.backfillThreads);
    }

    private record Backfill(Position upto, Map<String, List<Event>> events) {}

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
