package dev.switchboard.hub;

import dev.switchboard.change.Change;
import dev.switchboard.change.ChangeFeed;
import dev.switchboard.change.Op;
import dev.switchboard.change.Position;
import dev.switchboard.live.DeltaSink;
import dev.switchboard.live.ViewKey;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.json.JsonMapper;

/**
 * Topics, fan-out and resume. Changes become {@code change} events on dataset topics
 * ({@code data/<tenant>/<dataset>}); view deltas become {@code delta} events on dashboard topics.
 * Each event is serialized once, however many subscribers it has.
 */
public final class Hub implements ChangeFeed.Listener, DeltaSink {
    /** Events each topic keeps for resuming. The default is 4096. */
    public static final int RING = 4096;
    /** Topics with no subscriber and no event for this long are dropped. The default is 10 minutes. */
    static final Duration IDLE = Duration.ofMinutes(10);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ChangeFeed feed;
    private final Clock clock;
    private final int ring;
    private final Map<String, Topic> topics = new ConcurrentHashMap<>();
    private final AtomicLong published = new AtomicLong();
    /** No topic created from now on can replay from before this: older events were never kept or were swept. */
    private volatile Position horizon;

    /** A hub whose topics can replay changes after {@code start}, where the feed begins. */
    public Hub(ChangeFeed feed, Clock clock, int ring, Position start) {
        this.feed = feed;
        this.clock = clock;
        this.ring = ring;
        this.horizon = start;
    }

    public static String datasetTopic(String tenant, String dataset) {
        return "data/" + tenant + "/" + dataset;
    }

    @Override
    public void onChanges(List<Change> batch) {
        long now = clock.millis();
        for (Change c : batch) {
            if (c.op() == Op.TRUNCATE) {
                truncated(c, now);
                continue;
            }
            Event e = changeEvent(c);
            topic(e.topic(), horizon).publish(e, now);
            published.incrementAndGet();
        }
    }

    /**
     * A dataset was emptied for every tenant: each of its topics gets a {@code reset} (kept in the
     * ring, so a client resuming from before it reloads too), and topics created from now on
     * cannot replay from before it.
     */
    private void truncated(Change c, long now) {
        String suffix = "/" + c.dataset();
        for (Topic t : topics.values()) {
            if (t.name.startsWith("data/") && t.name.endsWith(suffix)) {
                t.publish(truncateEvent(t.name, c), now);
                published.incrementAndGet();
            }
        }
        horizon = c.position();
    }

    /** The event {@code tenant}'s topic of the change's dataset carries for it, as a replay gives it. */
    public static Event datasetEvent(String tenant, Change c) {
        return c.op() == Op.TRUNCATE ? truncateEvent(datasetTopic(tenant, c.dataset()), c) : changeEvent(c);
    }

    /** The {@code reset} event a dataset topic carries for a truncate of its dataset. */
    private static Event truncateEvent(String topic, Change c) {
        return event("reset", topic, c.position(), Map.of("dataset", c.dataset(), "position", c.position().toString(),
                "reason", "the dataset was truncated (all of its rows were removed); reload it"));
    }

    /** The {@code change} event of one change, as its dataset topic carries it. */
    public static Event changeEvent(Change c) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("dataset", c.dataset());
        body.put("tenant", c.tenant());
        body.put("op", c.op().code());
        body.put("key", c.key());
        body.put("before", c.before().present() ? c.before().values() : null);
        body.put("after", c.after().present() ? c.after().values() : null);
        body.put("position", c.position().toString());
        body.put("commit_time", c.commitTime().toString());
        String name = datasetTopic(c.tenant(), c.dataset());
        return new Event("change", name, c.position(), JSON.writeValueAsBytes(body));
    }

    @Override
    public void delta(ViewKey view, Position position, Map<String, Object> widgets) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("dashboard", view.dashboard());
        body.put("tenant", view.tenant());
        body.put("position", position.toString());
        body.put("widgets", widgets);
        String name = view.topic();
        topic(name, feed.position()).publish(new Event("delta", name, position, JSON.writeValueAsBytes(body)), clock.millis());
        published.incrementAndGet();
    }

    private Topic topic(String name, Position floor) {
        return topics.computeIfAbsent(name, n -> new Topic(n, floor, ring, clock.millis()));
    }

    /**
     * Registers {@code subscriber} on a topic and returns the events it missed after
     * {@code resumeFrom}, or empty when the ring cannot tell (the caller then resnapshots).
     * Must run inside {@link ChangeFeed#exclusive} together with whatever snapshot the caller
     * sends first, so nothing is published in between.
     */
    public Optional<List<Event>> subscribe(String topic, Optional<Position> resumeFrom, Subscriber subscriber) {
        Topic t = topic(topic, initialFloor(topic));
        t.subscribers.add(subscriber);
        return resumeFrom.flatMap(t::since);
    }

    /**
     * Whether the ring of {@code topic} can replay everything after {@code from}. Call inside
     * {@link ChangeFeed#exclusive}.
     */
    public boolean reaches(String topic, Position from) {
        Topic t = topics.get(topic);
        Position floor = t != null ? t.floor() : initialFloor(topic);
        return from.sameEpoch(floor) && from.compareTo(floor) >= 0;
    }

    /** Where a topic created now can replay from: dataset topics from the horizon, dashboard topics from now. */
    private Position initialFloor(String topic) {
        return topic.startsWith("data/") ? horizon : feed.position();
    }

    public void unsubscribe(String topic, Subscriber subscriber) {
        Topic t = topics.get(topic);
        if (t != null) {
            t.subscribers.remove(subscriber);
        }
    }

    /** Encodes a one-off event (a snapshot for one subscriber, a reset notice). */
    public static Event event(String type, String topic, Position position, Object body) {
        return new Event(type, topic, position, JSON.writeValueAsBytes(body));
    }

    /** Drops idle topics without subscribers; the server calls this periodically. */
    public void sweep() {
        long now = clock.millis();
        feed.exclusive(() -> {
            if (topics.values().removeIf(t -> t.subscribers.isEmpty() && now - t.lastActive > IDLE.toMillis())) {
                horizon = feed.position();
            }
            return null;
        });
    }

    public long published() {
        return published.get();
    }

    public int topicCount() {
        return topics.size();
    }

    public int subscriberCount() {
        return topics.values().stream().mapToInt(t -> t.subscribers.size()).sum();
    }
}
