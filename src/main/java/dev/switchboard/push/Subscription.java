package dev.switchboard.push;

import dev.switchboard.change.Change;
import dev.switchboard.change.ChangeFeed;
import dev.switchboard.change.Position;
import dev.switchboard.hub.Event;
import dev.switchboard.hub.Hub;
import dev.switchboard.hub.Subscriber;
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

/**
 * What one client watches for one tenant: dashboards (view keys) and datasets. {@link #start}
 * and {@link #resync} produce the opening events — a snapshot per dashboard, or the missed events
 * when the rings still hold them — and register for the rest, all under the dispatch lock.
 */
public final class Subscription {
    private final LiveEngine engine;
    private final Hub hub;
    private final ChangeFeed feed;
    private final String tenant;
    private final List<ViewKey> dashboards;
    private final List<String> datasets;
    private boolean opened;

    public Subscription(LiveEngine engine, Hub hub, ChangeFeed feed, String tenant, List<ViewKey> dashboards, List<String> datasets) {
        this.engine = engine;
        this.hub = hub;
        this.feed = feed;
        this.tenant = tenant;
        this.dashboards = List.copyOf(dashboards);
        this.datasets = List.copyOf(datasets);
    }

    /**
     * Registers {@code subscriber} and returns the events to send first, in position order.
     * A resume position ahead of this node's feed (the client came from a node further along)
     * is waited for, briefly, so nothing is sent twice.
     */
    public List<Event> start(Optional<Position> resume, Subscriber subscriber) {
        Optional<Position> from = resume.filter(p -> p.sameEpoch(feed.position()));
        if (from.isPresent()) {
            try {
                feed.awaitPosition(from.get(), Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Bootstrap the views first (this may query the database), outside the dispatch lock.
        dashboards.forEach(k -> engine.open(k, false, st -> null));
        Optional<Backfill> backfill = from.flatMap(this::backfill);
        List<Event> out = new ArrayList<>();
        feed.exclusive(() -> {
            // Snapshots, replays and registrations happen with no batch dispatched in between.
            for (ViewKey k : dashboards) {
                engine.open(k, !opened, st -> {
                    Optional<List<Event>> missed = hub.subscribe(k.topic(), from, subscriber);
                    if (missed.isPresent()) {
                        out.addAll(missed.get());
                        out.add(Hub.event("delta", k.topic(), st.position(), body(st, false, false)));
                    } else {
                        out.add(Hub.event("snapshot", k.topic(), st.position(), body(st, true, resume.isPresent())));
                    }
                    return null;
                });
            }
            for (String d : datasets) {
                String topic = Hub.datasetTopic(tenant, d);
                Optional<List<Event>> missed;
                Optional<Backfill> filled = backfill.filter(b -> b.events.containsKey(d));
                if (filled.isPresent()) {
                    // History up to the boundary, then the ring from there (it still reaches that far
                    // unless thousands of changes landed while the history was read).
                    missed = hub.subscribe(topic, Optional.of(filled.get().upto), subscriber).map(ring -> {
                        List<Event> all = new ArrayList<>(filled.get().events.get(d));
                        all.addAll(ring);
                        return all;
                    });
                } else {
                    missed = hub.subscribe(topic, from, subscriber);
                }
                if (resume.isPresent()) {
                    missed.ifPresentOrElse(out::addAll, () -> out.add(Hub.event("reset", topic, feed.position(), Map.of(
                            "dataset", d, "reason", "the position is too old to resume or unknown; reload the dataset"))));
                }
            }
            return null;
        });
        opened = true;
        out.sort(Comparator.comparing((Event e) -> e.position().seq()).thenComparing(e -> e.type().equals("change") ? 0 : 1));
        return out;
    }

    /**
     * For each dataset whose ring no longer reaches back to {@code from}, the change events of this
     * tenant after {@code from} up to the feed's position now, read from the store's change log.
     * Datasets left out of the result could not be filled (the log does not reach back that far, or
     * the tenant missed more than {@link #BACKFILL_MAX} changes) and get a reset.
     */
    private Optional<Backfill> backfill(Position from) {
        Position upto = feed.position();
        List<String> behind = feed.exclusive(() -> datasets.stream()
                .filter(d -> !hub.reaches(Hub.datasetTopic(tenant, d), from)).toList());
        if (behind.isEmpty() || !from.sameEpoch(upto) || from.compareTo(upto) >= 0) {
            return Optional.empty();
        }
        Map<String, List<Event>> events = new HashMap<>();
        behind.forEach(d -> events.put(d, new ArrayList<>()));
        try {
            for (Change c : feed.history(from, upto, tenant, BACKFILL_MAX)) {
                List<Event> list = events.get(c.dataset());
                if (list != null) {
                    list.add(Hub.datasetEvent(tenant, c));
                }
            }
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // below the log's floor, or a gap too wide to replay: the client reloads
        }
        return Optional.of(new Backfill(upto, events));
    }

    /** The most changes of the tenant a backfill replays; beyond that the client resets instead. */
    static final int BACKFILL_MAX = 100_000;

    private record Backfill(Position upto, Map<String, List<Event>> events) {}

    /** Rebuilds the opening events for a subscriber whose queue overflowed, resuming where it was. */
    public List<Event> resync(Optional<Position> lastSent, Subscriber subscriber) {
        return start(lastSent, subscriber);
    }

    /** Leaves the topics but keeps the views open: {@link #resync} follows. */
    public void unsubscribe(Subscriber subscriber) {
        feed.exclusive(() -> {
            dashboards.forEach(k -> hub.unsubscribe(k.topic(), subscriber));
            datasets.forEach(d -> hub.unsubscribe(Hub.datasetTopic(tenant, d), subscriber));
            return null;
        });
    }

    public void close(Subscriber subscriber) {
        unsubscribe(subscriber);
        if (opened) {
            dashboards.forEach(engine::release);
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
}
